package results

import (
	"fmt"
	"image/color"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// WriteGapPlots writes, for every dataset and loss of b, the figure
// gap_vs_epoch_<dataset>_<loss>[_calibrated].png: the mean gap between the
// loss and CE (GapCurve: maximum accuracy so far, loss − CE) against the
// epoch, one line per batch size with a band of ± one sd over the seeds,
// and the zero line. It returns the names of the files written.
func WriteGapPlots(dir string, b Budgets) ([]string, error) {
	type figure struct{ dataset, loss string }
	var figures []figure
	for _, g := range b.Curves {
		if f := (figure{g.Dataset, g.Loss}); !slices.Contains(figures, f) {
			figures = append(figures, f)
		}
	}
	var written []string
	for _, f := range figures {
		var curves []GapCurve
		for _, g := range b.Curves {
			if g.Dataset == f.dataset && g.Loss == f.loss {
				curves = append(curves, g)
			}
		}
		p, err := gapPlot(f.dataset, f.loss, b.Accuracy, curves)
		if err != nil {
			return written, err
		}
		name := "gap_vs_epoch_" + fileSafe(f.dataset) + "_" + fileSafe(f.loss)
		if b.Accuracy == CalibratedAccuracy {
			name += "_calibrated"
		}
		if err := savePlot(dir, name+".png", p); err != nil {
			return written, err
		}
		written = append(written, name+".png")
	}
	return written, nil
}

// gapPlot draws the curves of one dataset and loss.
func gapPlot(dataset, loss string, a Accuracy, curves []GapCurve) (*plot.Plot, error) {
	up := strings.ToUpper(loss)
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s: %s − CE, max %s test accuracy so far", dataset, up, a)
	p.X.Label.Text = "epoch"
	p.Y.Label.Text = fmt.Sprintf("%s − CE (mean ± sd over seeds)", up)
	p.Legend.Top = false
	p.Legend.Left = false
	for i, g := range curves {
		c := plotutil.Color(i)
		mean := make(plotter.XYs, len(g.Epochs))
		band := make(plotter.XYs, 0, 2*len(g.Epochs))
		for j, e := range g.Epochs {
			mean[j] = plotter.XY{X: float64(e), Y: g.Mean[j]}
			band = append(band, plotter.XY{X: float64(e), Y: g.Mean[j] + g.SD[j]})
		}
		for j := len(g.Epochs) - 1; j >= 0; j-- {
			band = append(band, plotter.XY{X: float64(g.Epochs[j]), Y: g.Mean[j] - g.SD[j]})
		}
		if len(band) >= 3 {
			poly, err := plotter.NewPolygon(band)
			if err != nil {
				return nil, fmt.Errorf("results: plot %s %s batch %d: %w", dataset, loss, g.Batch, err)
			}
			r, gr, bl, _ := c.RGBA()
			poly.Color = color.NRGBA{R: uint8(r >> 8), G: uint8(gr >> 8), B: uint8(bl >> 8), A: 48}
			poly.LineStyle.Width = 0
			p.Add(poly)
		}
		line, err := plotter.NewLine(mean)
		if err != nil {
			return nil, fmt.Errorf("results: plot %s %s batch %d: %w", dataset, loss, g.Batch, err)
		}
		line.Color = c
		line.Width = vg.Points(1.5)
		p.Add(line)
		p.Legend.Add("batch "+strconv.Itoa(g.Batch), line)
	}
	zero := plotter.NewFunction(func(float64) float64 { return 0 })
	zero.Color = color.Gray{Y: 96}
	zero.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	p.Add(zero)
	return p, nil
}
