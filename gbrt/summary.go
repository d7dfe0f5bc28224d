package gbrt

import (
	"encoding/csv"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/hypersimplex/hsloss/internal/atomicfile"
)

// Baselines are the objectives every other one is tested against.
var Baselines = []string{"logistic", "l2"}

// Row summarises the runs of one (dataset, objective).
type Row struct {
	Dataset, Objective string
	Runs               int
	AUC, AUCSD         float64 // test AUC, mean and sample sd over seeds
	Acc, AccSD         float64 // test accuracy at the best threshold
	LogLoss            float64 // mean test log-loss, when HasLogLoss
	HasLogLoss         bool
	BestRounds         float64 // mean rounds of the kept ensembles
	// Vs holds, for each baseline of Baselines present, the paired t-test
	// of this objective's test AUC against the baseline's over the seeds
	// both have (nil for the baseline itself or with fewer than 2 pairs).
	Vs [2]*TTest
}

// Summary is the table of a study, one Row per (dataset, objective) in
// the order of the StudyConfig.
type Summary struct{ Rows []Row }

// Summarize groups runs by (dataset, objective) in the order of cfg and
// tests every objective's AUC against each baseline, paired by seed.
func Summarize(cfg StudyConfig, runs []Run) (*Summary, error) {
	by := map[string]map[int64]Run{}
	for _, r := range runs {
		k := r.Dataset + "\x00" + r.Objective
		if by[k] == nil {
			by[k] = map[int64]Run{}
		}
		by[k][r.Seed] = r
	}
	s := &Summary{}
	for _, d := range cfg.Datasets {
		for _, o := range cfg.Objectives {
			group := by[d+"\x00"+o]
			if len(group) == 0 {
				continue
			}
			row := Row{Dataset: d, Objective: o, Runs: len(group)}
			var auc, acc, ll []float64
			rounds := 0.0
			for s := range cfg.Seeds {
				r, ok := group[cfg.FirstSeed+int64(s)]
				if !ok {
					continue
				}
				auc, acc = append(auc, r.AUC), append(acc, r.Accuracy)
				if r.HasLogLoss {
					ll = append(ll, r.LogLoss)
				}
				rounds += float64(r.BestRounds)
			}
			row.AUC, row.AUCSD = meanSD(auc)
			row.Acc, row.AccSD = meanSD(acc)
			if len(ll) == len(auc) {
				row.LogLoss, _ = meanSD(ll)
				row.HasLogLoss = true
			}
			row.BestRounds = rounds / float64(len(auc))
			for b, base := range Baselines {
				other := by[d+"\x00"+base]
				if base == o || other == nil {
					continue
				}
				var x, y []float64
				for s := range cfg.Seeds {
					seed := cfg.FirstSeed + int64(s)
					r1, ok1 := group[seed]
					r2, ok2 := other[seed]
					if ok1 && ok2 {
						x, y = append(x, r1.AUC), append(y, r2.AUC)
					}
				}
				if len(x) < 2 {
					continue
				}
				t, err := PairedTTest(x, y)
				if err != nil {
					return nil, fmt.Errorf("gbrt: summary of %s, %s vs %s: %w", d, o, base, err)
				}
				row.Vs[b] = &t
			}
			s.Rows = append(s.Rows, row)
		}
	}
	return s, nil
}

// Markdown writes the summary as a Markdown table: per (dataset,
// objective) the mean ± sd of the test AUC and best-threshold accuracy,
// the mean log-loss (logistic only), the mean rounds kept, and the mean
// AUC difference to each baseline with the paired t-test's p-value.
func (s *Summary) Markdown(w io.Writer) error {
	var b strings.Builder
	b.WriteString("| dataset | objective | runs | test AUC | acc (best thr.) | log-loss | rounds |")
	for _, base := range Baselines {
		fmt.Fprintf(&b, " ΔAUC vs %s (p) |", base)
	}
	b.WriteString("\n|---|---|---:|---:|---:|---:|---:|")
	for range Baselines {
		b.WriteString("---:|")
	}
	b.WriteString("\n")
	for _, r := range s.Rows {
		ll := "—"
		if r.HasLogLoss {
			ll = fmt.Sprintf("%.4f", r.LogLoss)
		}
		fmt.Fprintf(&b, "| %s | %s | %d | %.4f ± %.4f | %.4f ± %.4f | %s | %.0f |", r.Dataset, r.Objective, r.Runs,
			r.AUC, r.AUCSD, r.Acc, r.AccSD, ll, r.BestRounds)
		for _, t := range r.Vs {
			if t == nil {
				b.WriteString(" — |")
			} else {
				fmt.Fprintf(&b, " %+.4f (%s) |", t.MeanDiff, formatP(t.P))
			}
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// formatP prints a p-value with two significant digits, "<0.001" below.
func formatP(p float64) string {
	if p < 0.001 {
		return "<0.001"
	}
	return strconv.FormatFloat(p, 'g', 2, 64)
}

// WriteCSV writes the summary as CSV, one row per (dataset, objective);
// the columns of a test against a missing baseline are empty.
func (s *Summary) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	head := []string{"dataset", "objective", "runs", "auc_mean", "auc_sd", "acc_mean", "acc_sd", "logloss_mean", "best_rounds_mean"}
	for _, base := range Baselines {
		head = append(head, "auc_diff_vs_"+base, "t_vs_"+base, "p_vs_"+base)
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, r := range s.Rows {
		ll := ""
		if r.HasLogLoss {
			ll = fmtF(r.LogLoss)
		}
		rec := []string{r.Dataset, r.Objective, strconv.Itoa(r.Runs), fmtF(r.AUC), fmtF(r.AUCSD), fmtF(r.Acc), fmtF(r.AccSD), ll, fmtF(r.BestRounds)}
		for _, t := range r.Vs {
			if t == nil {
				rec = append(rec, "", "", "")
			} else {
				rec = append(rec, fmtF(t.MeanDiff), fmtF(t.T), fmtF(t.P))
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func (s *Summary) write(dir string) error {
	if err := atomicfile.Write(filepath.Join(dir, SummaryCSVFile), s.WriteCSV); err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(dir, SummaryMDFile), s.Markdown)
}
