/**
 * A reusable parameter ramp for DSP processors: moves a value towards a target either linearly over a
 * fixed time or as a one-pole (exponential) glide. It is advanced by a count of samples, so a
 * processor that advances it per sample or in fixed sub-blocks counted in samples gets the same
 * trajectory for any process() block size (shared/DESIGN.md "any block size must give the same result").
 *
 * No allocation after construction; all methods are O(1).
 */

/** 'linear': reaches the target exactly after rampMs. 'onePole': exponential, ~99 % after rampMs. */
export type SmootherMode = 'linear' | 'onePole';

/** ln(100): a one-pole glide covers 99 % of the distance in this many time constants. */
const ONE_POLE_TAUS = 4.605170185988091;

export class ParamSmoother {
  private cur: number;
  private tgt: number;
  private step = 0;
  private remaining = 0;
  private rampFrames = 1;
  /** One-pole per-sample coefficient (distance multiplier per sample). */
  private pole = 0;
  private readonly mode: SmootherMode;

  /**
   * @param initial starting value (also the target)
   * @param mode 'linear' (default) or 'onePole'
   */
  constructor(initial = 0, mode: SmootherMode = 'linear') {
    this.cur = initial;
    this.tgt = initial;
    this.mode = mode;
  }

  /**
   * Sets the ramp time.
   * @param sampleRate in Hz (> 0)
   * @param rampMs ramp time in ms (linear: time to reach the target; onePole: time to cover 99 %); 0 = jumps
   */
  configure(sampleRate: number, rampMs: number): void {
    const frames = Math.max(0, (rampMs / 1000) * sampleRate);
    this.rampFrames = Math.max(1, Math.round(frames));
    this.pole = frames < 1 ? 0 : Math.exp(-ONE_POLE_TAUS / frames);
  }

  /** Current value. */
  get value(): number {
    return this.cur;
  }

  /** Value being approached. */
  get target(): number {
    return this.tgt;
  }

  /** Whether the value is still moving. */
  get isSmoothing(): boolean {
    return this.cur !== this.tgt;
  }

  /** Starts a glide from the current value to `target`. */
  setTarget(target: number): void {
    this.tgt = target;
    if (target === this.cur) {
      this.remaining = 0;
      return;
    }
    this.remaining = this.rampFrames;
    this.step = (target - this.cur) / this.rampFrames;
  }

  /** Jumps to `value` (current = target = value). */
  jump(value: number): void {
    this.cur = value;
    this.tgt = value;
    this.remaining = 0;
  }

  /** Jumps to the current target (used by reset()). */
  snap(): void {
    this.cur = this.tgt;
    this.remaining = 0;
  }

  /** Advances one sample and returns the new value. */
  next(): number {
    return this.advance(1);
  }

  /**
   * Advances `frames` samples (>= 0) and returns the new value.
   * The result equals `frames` calls of next() up to rounding.
   */
  advance(frames: number): number {
    if (this.cur === this.tgt || frames <= 0) return this.cur;
    if (this.mode === 'linear') {
      if (frames >= this.remaining) {
        this.cur = this.tgt;
        this.remaining = 0;
      } else {
        this.remaining -= frames;
        // Recompute from the target so rounding errors never accumulate.
        this.cur = this.tgt - this.step * this.remaining;
      }
    } else {
      const d = (this.cur - this.tgt) * Math.pow(this.pole, frames);
      // Snap once the remaining distance is negligible relative to the values involved.
      this.cur = Math.abs(d) <= 1e-9 * (1 + Math.abs(this.tgt)) ? this.tgt : this.tgt + d;
    }
    return this.cur;
  }
}
