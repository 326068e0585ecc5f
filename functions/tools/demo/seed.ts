import { Timestamp } from "firebase-admin/firestore";
import { auth, db } from "../../src/shared/firebase";
import { sourcePath } from "../../src/mirror/paths";
import { scoreFields } from "../../src/mirror/score";
import { collectionItemPath, collectionPath, commentPath, likePath, savedPath, statShardsPath } from "../../src/images/model";
import { followerPath, followingPath, notificationId, notificationsPath, userPath, usernamePath } from "../../src/people/model";
import { demoGenerations, demoPassword, demoUsers } from "./data";
import { useEmulators } from "./emulator-env";

/** Loads the demo data into the running emulators. Fixed ids make it safe to run twice.
 *  Writes go through the normal trigger path, so the mirror fills itself. */
export async function seedDemoData(): Promise<void> {
  useEmulators();
  for (const user of demoUsers) {
    const exists = await auth()
      .getUser(user.uid)
      .then(
        () => true,
        () => false,
      );
    const fields = { email: user.email, password: demoPassword, displayName: user.displayName };
    if (exists) await auth().updateUser(user.uid, fields);
    else await auth().createUser({ uid: user.uid, ...fields });
    await auth().setCustomUserClaims(user.uid, user.admin ? { admin: true } : null);
  }
  const now = Date.now();
  const batch = db().batch();
  demoGenerations.forEach((g, i) => {
    const user = demoUsers.find((u) => u.uid === g.uid)!;
    const createdAt = Timestamp.fromMillis(now - (demoGenerations.length - i) * 3_600_000);
    const content = { prompt: g.prompt, model: g.model, images: g.images, videos: g.videos };
    batch.set(db().doc(sourcePath(g.uid, g.historyId)), {
      ...content,
      isPublic: g.isPublic,
      isDeleted: g.isDeleted,
      // Scored as the admin callable would: the score with the fingerprint of its content.
      ...(g.score === undefined ? {} : scoreFields(content, g.score)),
      createdAt,
      updatedAt: createdAt,
      createdBy: { uid: g.uid, username: user.displayName },
    });
  });
  seedPeople(batch, Timestamp.fromMillis(now));
  seedImages(batch, Timestamp.fromMillis(now));
  await batch.commit();
}

/** Profiles for the demo users (Bo follows Cy, so Bo's following feed has Cy's work and Cy
 *  has a notification), written as the people callables would leave them. */
function seedPeople(batch: FirebaseFirestore.WriteBatch, at: Timestamp): void {
  const people = [
    { uid: "admin-ada", username: "ada", followers: 0, following: 0, unread: 0 },
    { uid: "user-bo", username: "bo", followers: 0, following: 1, unread: 0 },
    { uid: "user-cy", username: "cy", followers: 1, following: 0, unread: 3 },
  ];
  for (const p of people) {
    const user = demoUsers.find((u) => u.uid === p.uid)!;
    batch.set(db().doc(userPath(p.uid)), {
      username: p.username,
      usernameKey: p.username,
      displayName: user.displayName,
      credits: 0,
      followersCount: p.followers,
      followingCount: p.following,
      unreadNotifications: p.unread,
      createdAt: at,
      updatedAt: at,
    });
    batch.set(db().doc(usernamePath(p.username)), { uid: p.uid });
  }
  batch.set(db().doc(followingPath("user-bo", "user-cy")), { at });
  batch.set(db().doc(followerPath("user-cy", "user-bo")), { at });
  batch.set(db().doc(`${notificationsPath("user-cy")}/${notificationId("follow", "user-bo")}`), {
    type: "follow",
    actorUid: "user-bo",
    read: false,
    createdAt: at,
  });
}

/** Bo likes Cy's library, comments on it and saves it to a collection (Cy's 2 more unread
 *  notifications), as the images callables would leave them. */
function seedImages(batch: FirebaseFirestore.WriteBatch, at: Timestamp): void {
  const item = "demo-cy-1";
  const commentId = "demo-comment-1";
  batch.set(db().doc(likePath("user-bo", item)), { at });
  batch.set(db().doc(commentPath(item, commentId)), { uid: "user-bo", text: "I want to read there.", likeCount: 0, createdAt: at });
  batch.set(db().doc(`${statShardsPath(item)}/0`), { likeCount: 1, commentCount: 1 });
  batch.set(db().doc(collectionPath("user-bo", "demo-favourites")), {
    name: "Favourites",
    description: "Buildings I would visit",
    itemCount: 1,
    createdAt: at,
    updatedAt: at,
  });
  batch.set(db().doc(collectionItemPath("user-bo", "demo-favourites", item)), { at });
  batch.set(db().doc(savedPath("user-bo", item)), { collectionIds: ["demo-favourites"] });
  batch.update(db().doc(userPath("user-bo")), { collectionsCount: 1 });
  for (const [type, target] of [
    ["like", item],
    ["comment", commentId],
  ] as const)
    batch.set(db().doc(`${notificationsPath("user-cy")}/${notificationId(type, "user-bo", target)}`), {
      type,
      actorUid: "user-bo",
      targetId: target,
      read: false,
      createdAt: at,
    });
}
