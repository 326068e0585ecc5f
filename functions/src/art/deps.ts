import type { PeopleDeps } from "../people/users";
import type { ArtImageStore } from "./images";
import type { ArtProvider } from "./providers/provider";
import type { ProcessingStatuses } from "./status";

/** The numbers of art generation; the deployed ones come from params (runtime.ts). */
export interface ArtSettings {
  /** Credits one generation costs. */
  cost: number;
  /** Failed runs (errors and dead workers) of a request before it fails and is refunded. */
  maxAttempts: number;
  /** A worker whose heartbeat is older than this is dead, and a queued request no worker has
   *  claimed for this long is dispatched again. */
  stallMs: number;
  /** How often a worker refreshes its processing entry while it waits (its heartbeat). */
  heartbeatMs: number;
  /** The first retry waits this long, doubling with each failure. */
  retryBaseMs: number;
  /** Requests the recovery job looks at per run. */
  recoveryBatch: number;
}

export interface ArtDeps extends PeopleDeps {
  now: () => number;
  statuses: ProcessingStatuses;
  images: ArtImageStore;
  /** The provider (read from params on first use in the deployed functions). */
  provider: () => ArtProvider;
  settings: ArtSettings;
}

export const defaultArtTiming = { stallMs: 60_000, heartbeatMs: 10_000, retryBaseMs: 10_000 } as const;
