import { Timestamp } from "firebase-admin/firestore";
import { auth, db } from "../../src/shared/firebase";
import { sourcePath } from "../../src/mirror/paths";
import { scoreFields } from "../../src/mirror/score";
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
  await batch.commit();
}
