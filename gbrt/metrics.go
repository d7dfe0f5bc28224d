package gbrt

import (
	"fmt"
	"math"
	"sort"
)

// checkScores validates the arguments shared by the metrics.
func checkScores(name string, s []float64, t []float32) (pos int, err error) {
	if len(s) == 0 {
		return 0, fmt.Errorf("gbrt: %s: no samples", name)
	}
	if len(t) != len(s) {
		return 0, fmt.Errorf("gbrt: %s: len(labels) = %d differs from len(scores) = %d", name, len(t), len(s))
	}
	for i := range s {
		if math.IsNaN(s[i]) || math.IsInf(s[i], 0) {
			return 0, fmt.Errorf("gbrt: %s: score[%d] = %v is not finite", name, i, s[i])
		}
		switch t[i] {
		case 1:
			pos++
		case 0:
		default:
			return 0, fmt.Errorf("gbrt: %s: label[%d] = %v is not 0 or 1", name, i, t[i])
		}
	}
	return pos, nil
}

// order returns the indices of s sorted by decreasing score.
func order(s []float64) []int {
	idx := make([]int, len(s))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return s[idx[a]] > s[idx[b]] })
	return idx
}

// AUC is the area under the ROC curve of scores s (higher means positive)
// for labels t: the probability that a random positive scores above a
// random negative, ties counting ½ (the Mann–Whitney statistic with mid
// ranks). O(n log n). Only the order of s matters, so margins, probabilities
// and projections give the same AUC.
//
// Errors: lengths that differ or are 0, a non-finite score, a label other
// than 0 or 1, or only one class present (the AUC is undefined).
func AUC(s []float64, t []float32) (float64, error) {
	pos, err := checkScores("AUC", s, t)
	if err != nil {
		return 0, err
	}
	neg := len(s) - pos
	if pos == 0 || neg == 0 {
		return 0, fmt.Errorf("gbrt: AUC: %d positives and %d negatives; both classes are needed", pos, neg)
	}
	idx := order(s)
	// Walk the groups of tied scores from the top. Invariant: negSeen
	// counts the negatives in the groups passed, wins the (positive,
	// negative) pairs ordered correctly among the positives passed.
	var wins float64
	negSeen := 0
	for i := 0; i < len(idx); {
		j, p, q := i, 0, 0
		for ; j < len(idx) && s[idx[j]] == s[idx[i]]; j++ {
			if t[idx[j]] == 1 {
				p++
			} else {
				q++
			}
		}
		// each positive of the group beats the negatives below the group
		// and ties with the q in it
		negBelow := neg - negSeen - q
		wins += float64(p) * (float64(negBelow) + 0.5*float64(q))
		negSeen += q
		i = j
	}
	return wins / (float64(pos) * float64(neg)), nil
}

// BestAccuracy is the highest accuracy of the rule "positive if s_i ≥ c"
// over every threshold c (including all positive and all negative), and the
// threshold reaching it (the midpoint between the two scores it separates,
// ±Inf for the all-negative / all-positive rules). It is an oracle
// threshold chosen on the very samples it is measured on, a property of the
// ranking like the AUC. O(n log n).
//
// Errors: as AUC, except that one class alone is allowed.
func BestAccuracy(s []float64, t []float32) (acc, threshold float64, err error) {
	pos, err := checkScores("BestAccuracy", s, t)
	if err != nil {
		return 0, 0, err
	}
	n := len(s)
	idx := order(s)
	// Invariant: above the cut at i (the first i sorted samples positive),
	// correct = positives among them + negatives among the rest.
	correct := n - pos // cut above everything: all negative
	best, threshold := correct, math.Inf(1)
	for i := 0; i < n; {
		j := i
		for ; j < n && s[idx[j]] == s[idx[i]]; j++ {
			if t[idx[j]] == 1 {
				correct++
			} else {
				correct--
			}
		}
		if correct > best {
			best = correct
			if j < n {
				threshold = s[idx[j-1]]/2 + s[idx[j]]/2
			} else {
				threshold = math.Inf(-1)
			}
		}
		i = j
	}
	return float64(best) / float64(n), threshold, nil
}

// logLossClip keeps LogLoss finite: probabilities are clipped to
// [logLossClip, 1 − logLossClip] (scikit-learn's default).
const logLossClip = 1e-15

// LogLoss is the mean binary cross-entropy −(1/n)Σ[t log p + (1−t) log(1−p)]
// of probabilities p, clipped to [1e-15, 1 − 1e-15].
//
// Errors: as AUC, and a probability outside [0, 1]; one class alone is
// allowed.
func LogLoss(p []float64, t []float32) (float64, error) {
	if _, err := checkScores("LogLoss", p, t); err != nil {
		return 0, err
	}
	var sum float64
	for i, v := range p {
		if v < 0 || v > 1 {
			return 0, fmt.Errorf("gbrt: LogLoss: probability[%d] = %v outside [0, 1]", i, v)
		}
		v = min(max(v, logLossClip), 1-logLossClip)
		if t[i] == 1 {
			sum -= math.Log(v)
		} else {
			sum -= math.Log1p(-v)
		}
	}
	return sum / float64(len(p)), nil
}

// Sigmoid is 1/(1 + e^{−x}), the probability binary:logistic gives for the
// margin x, computed without overflow for any x.
func Sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}
