/** The one error class of the images module: which step failed, and why. */

export type ImageStep = "layout" | "busybox" | "import" | "runtime" | "project" | "include";

/** A failure to make or import an image, naming the step. */
export class ImageError extends Error {
  override readonly name = "ImageError";
  readonly step: ImageStep;

  constructor(step: ImageStep, message: string, opts: { cause?: unknown } = {}) {
    super(`image ${step}: ${message}`, { cause: opts.cause });
    this.step = step;
  }
}
