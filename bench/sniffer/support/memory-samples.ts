/** One reading of /proc/<pid>/status, in bytes. */
export interface MemorySample {
  rss: number;
  anon: number;
  file: number;
  shmem: number;
}

export interface PhaseSummary {
  samples: number;
  rssMedian: number;
  rssMax: number;
  anonMedian: number;
  anonMax: number;
  fileMedian: number;
  shmemMax: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

export function summarize(samples: MemorySample[]): PhaseSummary {
  const of = (key: keyof MemorySample) => samples.map((s) => s[key]);
  return {
    samples: samples.length,
    rssMedian: median(of('rss')),
    rssMax: Math.max(...of('rss')),
    anonMedian: median(of('anon')),
    anonMax: Math.max(...of('anon')),
    fileMedian: median(of('file')),
    shmemMax: Math.max(...of('shmem')),
  };
}
