package train

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Plot sizes.
const (
	plotWidth  = 6 * vg.Inch
	plotHeight = 4 * vg.Inch
)

// WritePlots writes the PNG figures of a sweep into dir:
//
//   - max_acc_vs_batch_<dataset>.png: mean maximum test accuracy against the
//     batch size (log₂ axis), one line per loss, error bars ± one sd;
//   - test_acc_vs_epoch_<dataset>_b<batch>.png: test accuracy against the
//     epoch, one line per run, one colour per loss.
//
// It returns the names of the files written.
func WritePlots(dir string, runs []RunResult, losses []string) ([]string, error) {
	sum := Summarize(runs, losses)
	var written []string
	save := func(p *plot.Plot, name string) error {
		wt, err := p.WriterTo(plotWidth, plotHeight, "png")
		if err != nil {
			return fmt.Errorf("train: plot %s: %w", name, err)
		}
		if err := WriteFileAtomic(filepath.Join(dir, name), func(w io.Writer) error {
			_, err := wt.WriteTo(w)
			return err
		}); err != nil {
			return err
		}
		written = append(written, name)
		return nil
	}
	colour := lossColours(sum)

	var datasets []string
	for _, r := range sum.Rows {
		if len(datasets) == 0 || datasets[len(datasets)-1] != r.Dataset {
			datasets = append(datasets, r.Dataset)
		}
	}
	for _, d := range datasets {
		p, err := accuracyVsBatch(sum, d, colour)
		if err != nil {
			return written, err
		}
		if err := save(p, "max_acc_vs_batch_"+fileSafe(d)+".png"); err != nil {
			return written, err
		}
	}
	for _, row := range sum.Rows {
		p, err := accuracyVsEpoch(runs, row.Dataset, row.Batch, colour)
		if err != nil {
			return written, err
		}
		if err := save(p, fmt.Sprintf("test_acc_vs_epoch_%s_b%d.png", fileSafe(row.Dataset), row.Batch)); err != nil {
			return written, err
		}
	}
	return written, nil
}

// lossColours gives every loss of the summary a fixed colour.
func lossColours(sum Summary) map[string]color.Color {
	c := map[string]color.Color{}
	for _, r := range sum.Rows {
		for _, l := range r.Losses {
			if _, ok := c[l.Loss]; !ok {
				c[l.Loss] = plotutil.Color(len(c))
			}
		}
	}
	return c
}

// pointsWithSD are plot points with a symmetric y error.
type pointsWithSD struct {
	plotter.XYs
	sd []float64
}

// YError returns the symmetric error of point i (plotter.YErrorer).
func (p pointsWithSD) YError(i int) (float64, float64) { return p.sd[i], p.sd[i] }

// accuracyVsBatch plots the mean maximum test accuracy (± sd) of every
// loss against log₂ of the batch size.
func accuracyVsBatch(sum Summary, dataset string, colour map[string]color.Color) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = dataset + ": maximum test accuracy vs batch size"
	p.X.Label.Text = "batch size (log scale)"
	p.Y.Label.Text = "max test accuracy (mean ± sd over seeds)"
	p.Legend.Top = false
	p.Legend.Left = true
	var ticks []plot.Tick
	pts := map[string]*pointsWithSD{}
	var order []string
	for _, r := range sum.Rows {
		if r.Dataset != dataset {
			continue
		}
		x := math.Log2(float64(r.Batch))
		ticks = append(ticks, plot.Tick{Value: x, Label: strconv.Itoa(r.Batch)})
		for _, l := range r.Losses {
			if l.N == 0 {
				continue
			}
			if pts[l.Loss] == nil {
				pts[l.Loss] = &pointsWithSD{}
				order = append(order, l.Loss)
			}
			q := pts[l.Loss]
			q.XYs = append(q.XYs, plotter.XY{X: x, Y: l.Mean})
			q.sd = append(q.sd, l.SD)
		}
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	for _, l := range order {
		q := pts[l]
		line, points, err := plotter.NewLinePoints(q.XYs)
		if err != nil {
			return nil, fmt.Errorf("train: plot %s %s: %w", dataset, l, err)
		}
		line.Color, points.Color = colour[l], colour[l]
		points.Shape = draw.CircleGlyph{}
		bars, err := plotter.NewYErrorBars(q)
		if err != nil {
			return nil, fmt.Errorf("train: plot %s %s: %w", dataset, l, err)
		}
		bars.Color = colour[l]
		p.Add(line, points, bars)
		p.Legend.Add(strings.ToUpper(l), line, points)
	}
	// Keep a single batch size from collapsing the x range.
	p.X.Min, p.X.Max = p.X.Min-0.5, p.X.Max+0.5
	return p, nil
}

// accuracyVsEpoch plots the test accuracy of every run of one dataset and
// batch size against the epoch.
func accuracyVsEpoch(runs []RunResult, dataset string, batch int, colour map[string]color.Color) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s, batch %d: test accuracy vs epoch (one line per run)", dataset, batch)
	p.X.Label.Text = "epoch"
	p.Y.Label.Text = "test accuracy"
	p.Legend.Top = false
	p.Legend.Left = false
	inLegend := map[string]bool{}
	for _, r := range runs {
		if r.Spec.Dataset != dataset || r.Spec.Batch != batch || len(r.Epochs) == 0 {
			continue
		}
		xy := make(plotter.XYs, len(r.Epochs))
		for i, e := range r.Epochs {
			xy[i] = plotter.XY{X: float64(e.Epoch), Y: e.TestAcc}
		}
		line, err := plotter.NewLine(xy)
		if err != nil {
			return nil, fmt.Errorf("train: plot %s: %w", r.Spec.Key(), err)
		}
		line.Color = colour[r.Spec.Loss]
		p.Add(line)
		if !inLegend[r.Spec.Loss] {
			inLegend[r.Spec.Loss] = true
			p.Legend.Add(strings.ToUpper(r.Spec.Loss), line)
		}
	}
	return p, nil
}

// fileSafe replaces characters that do not belong in a file name.
func fileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == ' ' {
			return '_'
		}
		return r
	}, s)
}
