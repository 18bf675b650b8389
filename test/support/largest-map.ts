/**
 * The largest size any Map reached while `run` ran (every Map.prototype.set is watched): a store
 * that overshoots its bound "for a moment" and trims afterwards shows here, where its final size
 * would not.
 */
export function largestMapDuring(run: () => void): number {
  const set = Map.prototype.set;
  let largest = 0;
  Map.prototype.set = function (this: Map<unknown, unknown>, key: unknown, value: unknown) {
    const result = set.call(this, key, value);
    largest = Math.max(largest, this.size);
    return result;
  };
  try {
    run();
  } finally {
    Map.prototype.set = set;
  }
  return largest;
}
