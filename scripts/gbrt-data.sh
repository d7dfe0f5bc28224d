#!/usr/bin/env bash
# gbrt-data.sh: the small real binary datasets of the gradient-boosting study
# (cmd/gbrt, README "Gradient boosting"), written as CSV into DIR (default
# data/gbrt): header row, features as numbers, last column "label" in {0,1}.
#
# Every dataset comes from a Debian package (no other download):
#   spam           kernlab::spam        (r-cran-kernlab)  UCI Spambase, 4601 × 57, label spam
#   ticdata        kernlab::ticdata     (r-cran-kernlab)  CoIL 2000 insurance, 9822 × 85, label CARAVAN = insurance
#   pima           mlbench::PimaIndiansDiabetes (r-cran-mlbench)  768 × 8, label diabetes = pos
#   ionosphere     mlbench::Ionosphere  (r-cran-mlbench)  351 × 34, label Class = bad
#   breast-cancer  sklearn/datasets/data/breast_cancer.csv (python3-sklearn, extracted
#                  from the .deb, not installed)  569 × 30, label malignant
# R factors become their integer codes (ordinal encoding; trees split on them).
# Needs root for apt-get when the R packages are missing; idempotent.
set -euo pipefail
dir=${1:-data/gbrt}
mkdir -p "$dir"
need=()
command -v Rscript >/dev/null || need+=(r-base-core)
[ -d /usr/lib/R/site-library/kernlab ] || need+=(r-cran-kernlab)
[ -d /usr/lib/R/site-library/mlbench ] || need+=(r-cran-mlbench)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

Rscript - "$dir" <<'R'
dir <- commandArgs(trailingOnly = TRUE)[1]
out <- function(name, df, label) {
  x <- df
  for (j in seq_along(x)) if (is.factor(x[[j]])) x[[j]] <- as.integer(x[[j]])
  x$label <- as.integer(label)
  write.csv(x, file.path(dir, paste0(name, ".csv")), row.names = FALSE, quote = FALSE)
  cat(sprintf("%-14s %5d rows %3d features, %.3f positive\n", name, nrow(x), ncol(x) - 1, mean(x$label)))
}
data(spam, package = "kernlab")
out("spam", spam[, names(spam) != "type"], spam$type == "spam")
data(ticdata, package = "kernlab")
out("ticdata", ticdata[, names(ticdata) != "CARAVAN"], ticdata$CARAVAN == "insurance")
data(PimaIndiansDiabetes, package = "mlbench")
p <- PimaIndiansDiabetes
out("pima", p[, names(p) != "diabetes"], p$diabetes == "pos")
data(Ionosphere, package = "mlbench")
io <- Ionosphere[, !(names(Ionosphere) %in% c("Class", "V2"))] # V2 is constant
out("ionosphere", io, Ionosphere$Class == "bad")
R

csv=/usr/lib/python3/dist-packages/sklearn/datasets/data/breast_cancer.csv
if [ ! -f "$csv" ]; then
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get download -qq python3-sklearn && dpkg-deb -x python3-sklearn_*.deb root)
  csv="$tmp/root$csv"
fi
# sklearn's file: a "569,30,malignant,benign" line, then 30 features and the
# target (0 = malignant); label 1 = malignant.
awk -F, 'NR == 1 { h = ""; for (j = 1; j <= $2; j++) h = h "f" j ","; print h "label"; next }
         { $NF = ($NF == 0) ? 1 : 0; print }' OFS=, "$csv" > "$dir/breast-cancer.csv"
echo "breast-cancer  $(($(wc -l < "$dir/breast-cancer.csv") - 1)) rows  30 features"
rm -rf "${tmp:-/nonexistent}"
