/** The Events recorded about an object (events.k8s.io/v1), oldest first — for assertions. */
import type { Event } from "kubernetes-types/events/v1.js";
import type { KubeClient } from "../client/client.js";

/** The Events recorded about `obj` (events.k8s.io/v1), oldest first. */
export async function eventsFor(
  kube: KubeClient,
  obj: { metadata?: { name?: string; namespace?: string; uid?: string } },
): Promise<Event[]> {
  const { items } = await kube.list({
    apiVersion: "events.k8s.io/v1",
    kind: "Event",
    namespace: obj.metadata?.namespace ?? "default",
  } as const);
  return items
    .filter((e) =>
      obj.metadata?.uid
        ? e.regarding?.uid === obj.metadata.uid
        : e.regarding?.name === obj.metadata?.name,
    )
    .sort((a, b) => String(a.eventTime).localeCompare(String(b.eventTime)));
}
