import { Timestamp } from "firebase-admin/firestore";

/** Microseconds of a timestamp: Firestore keeps microseconds, so milliseconds would merge
 *  distinct times. Safe as a JS number for server times (until the year 2255). */
export function micros(t: Timestamp): number {
  return t.seconds * 1_000_000 + Math.floor(t.nanoseconds / 1000);
}
