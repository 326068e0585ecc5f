import type { Firestore } from "firebase-admin/firestore";
import type { Cache, DependOn } from "../cache/cache";
import { families, tags } from "../cache/map";
import type { PublicItem } from "../mirror/public";
import type { UserCard } from "./model";
import { loadCard } from "./users";

export interface CardDeps {
  db: Firestore;
  cache: Cache;
}

/** The current cards of these users, through the `userCard` family (one entry per user, so a
 *  rename bumps one tag and every page that shows the user joins the new name on its next
 *  read). Lookups run together: @upstash/redis pipelines them into one request. */
export async function cardsOf(deps: CardDeps, uids: string[]): Promise<Map<string, UserCard | null>> {
  const unique = [...new Set(uids)];
  const cards = await Promise.all(unique.map((uid) => deps.cache.getOrLoad(families.userCard, { uid }, () => loadCard(deps.db, uid))));
  return new Map(unique.map((uid, i) => [uid, cards[i]!]));
}

type CreatedBy = { uid?: string; username?: string; photoURL?: string };

/** An item as every read shows it. `creator.username` is the author's claimed handle only
 *  (null until she claims one: the item's `createdBy.username` is text any owner writes, so it
 *  is never shown as a handle); `creator.displayName` and `avatarUrl` are her user document's,
 *  or else what the item says (`createdBy.username`, `photoURL`). `createdBy`'s name and photo
 *  are the handle and avatar when she has them, else the item's own: a creator renamed on the
 *  old platform keeps each item's name until she claims a handle. */
export function withCreator(item: PublicItem, card: UserCard | null | undefined): PublicItem & { creator: UserCard } {
  const createdBy = (item.createdBy ?? {}) as CreatedBy;
  const shownName = card?.username ?? createdBy.username ?? null;
  const avatarUrl = card?.avatarUrl ?? createdBy.photoURL ?? null;
  const { username: _u, photoURL: _p, ...rest } = createdBy;
  return {
    ...item,
    createdBy: { ...rest, ...(shownName === null ? {} : { username: shownName }), ...(avatarUrl === null ? {} : { photoURL: avatarUrl }) },
    creator: { uid: item.uid, username: card?.username ?? null, displayName: card?.displayName ?? createdBy.username ?? null, avatarUrl },
  };
}

export async function withCreators<I extends PublicItem>(deps: CardDeps, items: I[]): Promise<Array<I & { creator: UserCard }>> {
  const cards = await cardsOf(
    deps,
    items.map((i) => i.uid),
  );
  return items.map((item) => withCreator(item, cards.get(item.uid)) as I & { creator: UserCard });
}

/** Inside a page's loader (a family with `joins: ["card"]`): the page with its creators'
 *  current cards, the cached page depending on each card's tag. A rename bumps one tag and
 *  every cached page that shows the user is stale; a hit is still one round trip. */
export async function joinCreators<P extends { items: PublicItem[] }>(
  deps: CardDeps,
  dependOn: DependOn,
  page: P,
): Promise<Omit<P, "items"> & { items: Array<P["items"][number] & { creator: UserCard }> }> {
  await dependOn(page.items.map((i) => tags.card(i.uid)));
  return { ...page, items: await withCreators(deps, page.items) };
}

/** joinCreators for notifications: each with its actor's current card (null for a user without one). */
export async function joinActors<P extends { items: Array<{ actorUid: string }> }>(
  deps: CardDeps,
  dependOn: DependOn,
  page: P,
): Promise<Omit<P, "items"> & { items: Array<P["items"][number] & { actor: UserCard | null }> }> {
  const uids = page.items.map((i) => i.actorUid);
  await dependOn(uids.map(tags.card));
  const cards = await cardsOf(deps, uids);
  return { ...page, items: page.items.map((item) => ({ ...item, actor: cards.get(item.actorUid) ?? null })) };
}
