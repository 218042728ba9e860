#!/usr/bin/python3
"""Summary and plot of a training run's OUT/training-steps.csv (bench/soak_train.sh calls it).

Usage: /usr/bin/python3 bench/soak_report.py TRAINING_STEPS_CSV PLOT_PNG LABEL

RSS drops every 100 steps (training returns freed memory with malloc_trim), so a least-squares slope over a short run
depends on where the run ends in that saw-tooth; the peak of each 100-step window after step 100 is printed too.
"""
import csv
import statistics
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def slope_per_1000(xs, ys):
    mx, my = statistics.mean(xs), statistics.mean(ys)
    return 1000 * sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def main(csv_path, png_path, label):
    rows = list(csv.DictReader(open(csv_path)))
    step = [int(r["step"]) for r in rows]
    rss = [float(r["rss_mb"]) for r in rows]
    sec = [float(r["seconds"]) for r in rows]
    late = [(s, m) for s, m in zip(step, rss) if s > 100]
    slope = slope_per_1000([s for s, _ in late], [m for _, m in late])
    print("steps %d; RSS at step 100 %.0f MB, last %.0f MB, max %.0f MB; slope after step 100: %.1f MB per 1,000 steps"
          % (len(rows), rss[min(99, len(rss) - 1)], rss[-1], max(rss), slope))
    windows = {}
    for s, m in late:
        windows.setdefault((s - 1) // 100, []).append(m)
    keys = sorted(windows)
    peaks = [max(windows[k]) for k in keys]
    if len(keys) > 1:
        print("peak RSS of each 100 steps after step 100: first %.0f MB, last %.0f MB, slope %.1f MB per 1,000 steps"
              % (peaks[0], peaks[-1], slope_per_1000([100 * k + 50 for k in keys], peaks)))
    print("step time: median %.3f s, mean %.3f s (steps 11-%d)" % (statistics.median(sec[10:]), statistics.mean(sec[10:]),
                                                                  len(sec)))
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.plot(step, [m / 1024 for m in rss], lw=0.8)
    ax.set_xlabel("step")
    ax.set_ylabel("resident memory (GB)")
    ax.set_ylim(bottom=0)
    ax.set_title("%s: RSS per training step (slope after step 100: %.1f MB / 1,000 steps)" % (label, slope), fontsize=9)
    fig.tight_layout()
    fig.savefig(png_path, dpi=100)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
