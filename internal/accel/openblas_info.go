//go:build openblas

package accel

/*
char* openblas_get_config(void);
char* openblas_get_corename(void);
int openblas_get_num_threads(void);
void openblas_set_num_threads(int);
*/
import "C"

import "fmt"

// details describes the OpenBLAS library loaded at run time: its build
// configuration, the kernels it chose for this CPU (the core name; see
// OPENBLAS_CORETYPE in the package documentation) and its thread count.
func details() string {
	return fmt.Sprintf("%s; %s; core %s; %d threads", name,
		C.GoString(C.openblas_get_config()), C.GoString(C.openblas_get_corename()),
		int(C.openblas_get_num_threads()))
}

// singleThreaded makes OpenBLAS run each call on the calling thread.
func singleThreaded() { C.openblas_set_num_threads(1) }
