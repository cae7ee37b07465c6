// Batch timing: a batch is prepared untimed (fresh instances, pre-filled
// caches), then its operations run back to back under one clock reading, so
// per-op cost includes nothing but the operations. The reported figure is the
// median of the per-op times of the batches (robust to a GC pause in one).

/** Milliseconds elapsed since `start` (a process.hrtime.bigint() reading). */
export const elapsedMs = (start) => Number(process.hrtime.bigint() - start) / 1e6;

function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export const median = (values) => quantile(values, 0.5);

/** Median and interquartile range of a list of samples, in their unit. */
export const summarize = (values) => ({
  median: median(values), p25: quantile(values, 0.25), p75: quantile(values, 0.75), samples: values.length,
});

/**
 * Times `run(await prepare())` for `warmup` discarded batches, then until at
 * least `minBatches` were kept and `budgetMs` has passed (at most `maxBatches`).
 * `run` may be sync or async; an async one is awaited inside the timed region,
 * since awaiting is part of using an async API.
 * @returns {{ medianUs: number, p25Us: number, p75Us: number, batches: number, opsPerBatch: number }}
 */
export async function timeBatches({ prepare, run, opsPerBatch, warmup = 1, minBatches, maxBatches, budgetMs }) {
  const perOpUs = [];
  const start = process.hrtime.bigint();
  for (let b = 0; b < warmup + maxBatches; b++) {
    const state = await prepare();
    const t0 = process.hrtime.bigint();
    const pending = run(state);
    if (pending) await pending;
    const ns = process.hrtime.bigint() - t0;
    if (b < warmup) continue;
    perOpUs.push(Number(ns) / 1e3 / opsPerBatch);
    if (perOpUs.length >= minBatches && elapsedMs(start) >= budgetMs) break;
  }
  const s = summarize(perOpUs);
  return { medianUs: s.median, p25Us: s.p25, p75Us: s.p75, batches: s.samples, opsPerBatch };
}
