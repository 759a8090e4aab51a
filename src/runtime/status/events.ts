/**
 * Kubernetes Events (events.k8s.io/v1) for what an operator does, aggregated so that a
 * retry loop does not flood the API: the first occurrence creates an Event, repeats of the
 * same (object, type, reason, action, note) within `seriesWindowMs` update its `series`
 * count — at most once per `minPatchIntervalMs` — instead of creating new ones. This is
 * what client-go's event broadcaster and kube-rs' recorder do.
 *
 * Notes are cut to the API's 1 KiB limit (UTF-8 bytes, on a character boundary). Callers must not put secrets in notes.
 */
import { randomBytes } from "node:crypto";
import type { KubeClient } from "../../client/client.js";
import { truncateUtf8 } from "../../core/text.js";

export interface EventRegarding {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
}

/** An Event to record: type, reason (CamelCase), action and note. */
export interface EventInput {
  type: "Normal" | "Warning";
  reason: string;
  action: string;
  note: string;
}

export interface KubeEvent {
  apiVersion: "events.k8s.io/v1";
  kind: "Event";
  metadata: { name: string; namespace: string };
  eventTime: string;
  reportingController: string;
  reportingInstance: string;
  action: string;
  reason: string;
  regarding: EventRegarding;
  note: string;
  type: "Normal" | "Warning";
  series?: { count: number; lastObservedTime: string };
}

/** Where events go: satisfied by the client (create / merge-patch an Event). */
export interface EventSink {
  /** Create a new Event. */
  create(event: KubeEvent): Promise<unknown>;
  /** Count one more occurrence of an Event already created. */
  patchSeries(
    ref: { namespace: string; name: string },
    series: { count: number; lastObservedTime: string },
  ): Promise<unknown>;
}

/** Events written with the client: created, and their series merge-patched. */
export function clientEventSink(client: KubeClient): EventSink {
  return {
    create: (ev) => client.create(ev),
    patchSeries: (ref, series) =>
      client.patch(
        { apiVersion: "events.k8s.io/v1", kind: "Event", ...ref },
        { series },
        { type: "merge" },
      ),
  };
}

/**
 * An Event's name: the object's name, a dot and a random suffix, as client-go does — but
 * cut so that it stays a DNS subdomain of at most 253 characters. A 253-character object
 * name would otherwise make every Event about it fail validation, silently.
 */
export function eventName(regardingName: string, suffix: string): string {
  const prefix = regardingName
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, "-")
    .slice(0, 253 - suffix.length - 1)
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, "")
    .replace(/[-.]*\.[-.]*/g, ".");
  return `${prefix || "event"}.${suffix}`;
}

const microTime = (d = new Date()) => d.toISOString().replace(/Z$/, "000Z");

interface Series {
  name: string;
  namespace: string;
  count: number;
  firstAt: number;
  lastPatchAt: number;
  pending: boolean;
}

export interface RecorderOptions {
  controller: string;
  instance: string;
  sink: EventSink;
  seriesWindowMs?: number;
  minPatchIntervalMs?: number;
  onError?: (e: unknown) => void;
}

/** Records Events about objects, aggregating repeats of the same Event into a series instead of a new Event each. */
export class EventRecorder {
  private readonly series = new Map<string, Series>();
  private readonly window: number;
  private readonly minPatch: number;

  constructor(private readonly opts: RecorderOptions) {
    this.window = opts.seriesWindowMs ?? 10 * 60_000;
    this.minPatch = opts.minPatchIntervalMs ?? 30_000;
  }

  /** Record an event; never throws (a failed Event must not fail a reconcile). */
  async record(regarding: EventRegarding, ev: EventInput): Promise<void> {
    // The API counts the note's 1 KiB in UTF-8 bytes; cut on a character boundary.
    const note = truncateUtf8(ev.note, 1024);
    const id = [
      regarding.uid ?? `${regarding.namespace}/${regarding.name}`,
      ev.type,
      ev.reason,
      ev.action,
      note,
    ].join("\u0000");
    const now = Date.now();
    const s = this.series.get(id);
    try {
      if (s && now - s.firstAt < this.window) {
        s.count++;
        if (now - s.lastPatchAt < this.minPatch) {
          s.pending = true;
          return;
        }
        s.lastPatchAt = now;
        s.pending = false;
        await this.opts.sink.patchSeries(s, { count: s.count, lastObservedTime: microTime() });
        return;
      }
      const namespace = regarding.namespace ?? "default";
      const name = eventName(regarding.name, randomBytes(8).toString("hex"));
      this.series.set(id, {
        name,
        namespace,
        count: 1,
        firstAt: now,
        lastPatchAt: now,
        pending: false,
      });
      this.prune(now);
      await this.opts.sink.create({
        apiVersion: "events.k8s.io/v1",
        kind: "Event",
        metadata: { name, namespace },
        eventTime: microTime(),
        reportingController: this.opts.controller,
        reportingInstance: this.opts.instance,
        action: ev.action,
        reason: ev.reason,
        regarding,
        note,
        type: ev.type,
      });
    } catch (e) {
      this.opts.onError?.(e);
    }
  }

  /** Flush counts held back by the patch interval (on shutdown). */
  async flush(): Promise<void> {
    for (const s of this.series.values()) {
      if (!s.pending) continue;
      s.pending = false;
      await this.opts.sink
        .patchSeries(s, { count: s.count, lastObservedTime: microTime() })
        .catch((e: unknown) => this.opts.onError?.(e));
    }
  }

  private prune(now: number): void {
    if (this.series.size < 1000) return;
    for (const [id, s] of this.series) if (now - s.firstAt >= this.window) this.series.delete(id);
  }
}
