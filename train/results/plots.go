package results

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
//     batch size (log₂ axis), one line per loss, error bars ± one sd, and a
//     dashed line per loss for the calibrated accuracy when the runs
//     measured it (Config.Calibrate);
//   - test_acc_vs_epoch_<dataset>_b<batch>.png: test accuracy against the
//     epoch, one line per run, one colour per loss.
//
// It returns the names of the files written.
func WritePlots(dir string, runs []RunResult, losses []string) ([]string, error) {
	sum := Summarize(runs, losses)
	var written []string
	save := func(p *plot.Plot, name string) error {
		if err := savePlot(dir, name, p); err != nil {
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

// savePlot writes p as the PNG file dir/name.
func savePlot(dir, name string, p *plot.Plot) error {
	wt, err := p.WriterTo(plotWidth, plotHeight, "png")
	if err != nil {
		return fmt.Errorf("results: plot %s: %w", name, err)
	}
	return writeFile(filepath.Join(dir, name), func(w io.Writer) error {
		_, err := wt.WriteTo(w)
		return err
	})
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

// accuracySeries is one line of the accuracy-vs-batch plot: a loss's mean
// maximum test accuracy, or its mean maximum calibrated test accuracy,
// at each batch size (x = log₂ batch), ± sd.
type accuracySeries struct {
	loss       string
	calibrated bool
	points     pointsWithSD
}

// label is the series' legend entry: "HS", "HS calibrated".
func (s accuracySeries) label() string {
	if s.calibrated {
		return strings.ToUpper(s.loss) + " calibrated"
	}
	return strings.ToUpper(s.loss)
}

// batchSeries returns the x ticks (one per batch size) and the series of
// dataset in sum: one per loss with completed runs, then, in the order
// they appear, one per loss whose runs measured a calibrated accuracy.
func batchSeries(sum Summary, dataset string) ([]plot.Tick, []accuracySeries) {
	var ticks []plot.Tick
	var series []accuracySeries
	type key struct {
		loss       string
		calibrated bool
	}
	index := map[key]int{}
	add := func(loss string, calibrated bool, x, mean, sd float64) {
		i, ok := index[key{loss, calibrated}]
		if !ok {
			i = len(series)
			index[key{loss, calibrated}] = i
			series = append(series, accuracySeries{loss: loss, calibrated: calibrated})
		}
		q := &series[i].points
		q.XYs = append(q.XYs, plotter.XY{X: x, Y: mean})
		q.sd = append(q.sd, sd)
	}
	for _, r := range sum.Rows {
		if r.Dataset != dataset {
			continue
		}
		x := math.Log2(float64(r.Batch))
		ticks = append(ticks, plot.Tick{Value: x, Label: strconv.Itoa(r.Batch)})
		for _, l := range r.Losses {
			if l.N > 0 {
				add(l.Loss, false, x, l.Mean, l.SD)
			}
			if c := l.Calibrated; c != nil && c.N > 0 {
				add(l.Loss, true, x, c.Mean, c.SD)
			}
		}
	}
	return ticks, series
}

// accuracyVsBatch plots the mean maximum test accuracy (± sd) of every
// loss against log₂ of the batch size, and, for the losses whose runs
// measured it (Config.Calibrate), the mean maximum calibrated test
// accuracy as a dashed line of the same colour.
func accuracyVsBatch(sum Summary, dataset string, colour map[string]color.Color) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = dataset + ": maximum test accuracy vs batch size"
	p.X.Label.Text = "batch size (log scale)"
	p.Y.Label.Text = "max test accuracy (mean ± sd over seeds)"
	p.Legend.Top = false
	p.Legend.Left = true
	ticks, series := batchSeries(sum, dataset)
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	for _, s := range series {
		line, points, err := plotter.NewLinePoints(s.points.XYs)
		if err != nil {
			return nil, fmt.Errorf("results: plot %s %s: %w", dataset, s.label(), err)
		}
		line.Color, points.Color = colour[s.loss], colour[s.loss]
		points.Shape = draw.CircleGlyph{}
		if s.calibrated {
			line.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
			points.Shape = draw.TriangleGlyph{}
		}
		bars, err := plotter.NewYErrorBars(s.points)
		if err != nil {
			return nil, fmt.Errorf("results: plot %s %s: %w", dataset, s.label(), err)
		}
		bars.Color = colour[s.loss]
		p.Add(line, points, bars)
		p.Legend.Add(s.label(), line, points)
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
			return nil, fmt.Errorf("results: plot %s: %w", r.Spec.Key(), err)
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
