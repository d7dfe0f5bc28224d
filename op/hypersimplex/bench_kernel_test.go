package hypersimplex_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/hypersimplex/hsloss/op/hypersimplex"
)

// benchShapes are the (rows, n) sizes of the operator benchmarks: a 10-row
// matrix at several n and one row of 10⁶ (rows processed one after another).
var benchShapes = []struct{ rows, n int }{
	{10, 128}, {10, 1024}, {10, 8192}, {10, 65536}, {1, 1000000},
}

// benchData holds float32 inputs for one shape: logits x, an incoming
// gradient g and output buffers.
type benchData struct {
	rows, n   int
	x, g, y   []float32
	dx, out   []float32 // out: destination of the streaming pass
	k, tau    float32
	z, sorted []float64
	projected bool // y holds Project(x)
}

func newBenchData(rows, n int) *benchData {
	r := rand.New(rand.NewPCG(7, uint64(n)))
	d := &benchData{
		rows: rows, n: n, k: float32(n / 2), tau: 1.5,
		x: make([]float32, rows*n), g: make([]float32, rows*n),
		y: make([]float32, rows*n), dx: make([]float32, rows*n),
		out: make([]float32, rows*n),
		z:   make([]float64, n), sorted: make([]float64, n),
	}
	for i := range d.x {
		d.x[i] = float32(r.NormFloat64())
		d.g[i] = float32(r.NormFloat64())
	}
	return d
}

// runBench runs body(d) b.N times for every shape, reporting bytes as the
// float32 elements read by the forward pass, and two extra metrics: ns/elem
// and x-fused, the time as a multiple of fusedPass over the same elements,
// timed in alternation with it after the benchmark (ratioToFused), so that
// both see the same load of a shared machine.
func runBench(b *testing.B, body func(b *testing.B, d *benchData)) {
	for _, s := range benchShapes {
		b.Run(fmt.Sprintf("%dx%d", s.rows, s.n), func(b *testing.B) {
			d := newBenchData(s.rows, s.n)
			b.SetBytes(int64(4 * s.rows * s.n))
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				body(b, d)
			}
			ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			b.StopTimer()
			b.ReportMetric(ns/float64(s.rows*s.n), "ns/elem")
			b.ReportMetric(d.ratioToFused(func() { body(b, d) }), "x-fused")
		})
	}
}

// streamingPass copies x to y and sums x in float64, row by row.
func (d *benchData) streamingPass() {
	var s float64
	for r := range d.rows {
		out, x := d.row(d.out, r), d.row(d.x, r)
		copy(out, x)
		for _, v := range x {
			s += float64(v)
		}
	}
	sinkSum += s
}

// fusedPass sets dx = y ⊙ g in float32, row by row: one vectorisable pass
// that reads two slices and writes a third, what the backward pass must do
// at least (its ns/elem is the unit the kernels are reported in).
func (d *benchData) fusedPass() {
	for r := range d.rows {
		fusedMul(d.row(d.dx, r), d.row(d.y, r), d.row(d.g, r))
	}
}

// ratioToFused returns the time of body over that of fusedPass: the median
// of 9 ratios, each of two bursts of ≥ 2 ms timed back to back.
func (d *benchData) ratioToFused(body func()) float64 {
	var ratios [9]float64
	for i := range ratios {
		t := burstNs(body)
		ratios[i] = t / burstNs(d.fusedPass)
	}
	slices.Sort(ratios[:])
	return ratios[4]
}

// burstNs returns the time per call of pass, called for at least 2 ms.
func burstNs(pass func()) float64 {
	start, reps := time.Now(), 0
	for time.Since(start) < 2*time.Millisecond {
		pass()
		reps++
	}
	return float64(time.Since(start).Nanoseconds()) / float64(reps)
}

// fusedMul sets dx = y ⊙ g; the Go compiler does not vectorise it.
func fusedMul(dx, y, g []float32) {
	y, g = y[:len(dx)], g[:len(dx)]
	for i := range dx {
		dx[i] = y[i] * g[i]
	}
}

func (d *benchData) row(v []float32, r int) []float32 { return v[r*d.n : (r+1)*d.n] }

func (d *benchData) forward(b *testing.B) {
	for r := range d.rows {
		if err := hypersimplex.Project(d.row(d.y, r), d.row(d.x, r), d.k, d.tau); err != nil {
			b.Fatal(err)
		}
	}
}

func (d *benchData) backward(b *testing.B) {
	for r := range d.rows {
		if err := hypersimplex.ProjectVJP(d.row(d.dx, r), d.row(d.y, r), d.row(d.g, r), d.tau); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkProject(b *testing.B) {
	runBench(b, func(b *testing.B, d *benchData) { d.forward(b) })
}

func BenchmarkProjectVJP(b *testing.B) {
	runBench(b, func(b *testing.B, d *benchData) {
		if !d.projected {
			d.forward(b) // a realistic y, once
			d.projected = true
		}
		d.backward(b)
	})
}

func BenchmarkProjectForwardBackward(b *testing.B) {
	runBench(b, func(b *testing.B, d *benchData) {
		d.forward(b)
		d.backward(b)
	})
}

func (d *benchData) entropicForward(b *testing.B) {
	for r := range d.rows {
		if err := hypersimplex.ProjectEntropic(d.row(d.y, r), d.row(d.x, r), d.k, d.tau); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkProjectEntropic(b *testing.B) {
	runBench(b, func(b *testing.B, d *benchData) { d.entropicForward(b) })
}

func BenchmarkProjectEntropicVJP(b *testing.B) {
	runBench(b, func(b *testing.B, d *benchData) {
		if !d.projected {
			d.entropicForward(b) // a realistic y, once
			d.projected = true
		}
		for r := range d.rows {
			if err := hypersimplex.ProjectEntropicVJP(d.row(d.dx, r), d.row(d.y, r), d.row(d.g, r), d.tau); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkProjectSortOracle is the O(n log n) sort-based reference.
func BenchmarkProjectSortOracle(b *testing.B) {
	runBench(b, func(b *testing.B, d *benchData) {
		for r := range d.rows {
			sortProject(d.row(d.y, r), d.row(d.x, r), d.k, d.tau, d.z, d.sorted)
		}
	})
}

var sinkSum float64

// BenchmarkStreamingBaseline is a copy plus a float64 sum with one
// accumulator over the same element count (latency-bound: one add per
// element in a chain).
func BenchmarkStreamingBaseline(b *testing.B) {
	runBench(b, func(b *testing.B, d *benchData) { d.streamingPass() })
}

// BenchmarkFusedPass is the unit the kernels are measured in: dx = y ⊙ g
// over the same element count, a plain Go loop (fusedMul).
func BenchmarkFusedPass(b *testing.B) {
	runBench(b, func(b *testing.B, d *benchData) { d.fusedPass() })
}
