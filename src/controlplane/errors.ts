/** The one error class of the control-plane module: which step failed, and why. */

export type ControlPlaneStep =
  "locate-binaries" | "build" | "start" | "ready" | "restart" | "stop" | "state";

export class ControlPlaneError extends Error {
  override readonly name = "ControlPlaneError";
  readonly step: ControlPlaneStep;
  readonly component: string | undefined;
  /** The last lines the failing component wrote, when it died early. */
  readonly logTail: string[];
  /** The message without the step, component and log tail around it. */
  readonly detail: string;

  constructor(
    step: ControlPlaneStep,
    message: string,
    opts: { component?: string; logTail?: string[]; cause?: unknown } = {},
  ) {
    const tail = opts.logTail?.length
      ? `\n--- last lines of ${opts.component ?? "its"} log ---\n${opts.logTail.join("\n")}`
      : "";
    super(
      `control plane ${step}${opts.component ? ` (${opts.component})` : ""}: ${message}${tail}`,
      {
        cause: opts.cause,
      },
    );
    this.step = step;
    this.component = opts.component;
    this.logTail = opts.logTail ?? [];
    this.detail = message;
  }
}

/** A ControlPlaneError as plain data, to cross the supervisor's IPC channel. */
export interface ControlPlaneErrorData {
  step: ControlPlaneStep;
  detail: string;
  component?: string;
  logTail?: string[];
}

export function errorToData(e: unknown): ControlPlaneErrorData {
  if (e instanceof ControlPlaneError) {
    return { step: e.step, detail: e.detail, component: e.component, logTail: e.logTail };
  }
  return { step: "start", detail: e instanceof Error ? e.message : String(e) };
}

export function errorFromData(d: ControlPlaneErrorData): ControlPlaneError {
  return new ControlPlaneError(d.step, d.detail, { component: d.component, logTail: d.logTail });
}

/** Why a start stops early: its owner went away meanwhile (supervisor.ts aborts it). */
export function assertNotCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted)
    throw new ControlPlaneError("start", "cancelled: the control plane's owner went away");
}
