import { db } from "/work/main/functions/src/shared/firebase";
import { Timestamp } from "firebase-admin/firestore";
async function main() {
  const ref = db().doc("exp/a");
  const ref2 = db().doc("exp/b");
  await ref.set({ v: 1 }); await ref2.set({ v: 1 });
  const t0 = Date.now();
  await db().runTransaction(async (tx) => {
    const a = await tx.get(ref);
    const w = Promise.race([ref2.set({ v: 2 }).then(() => "written"), new Promise((r) => setTimeout(() => r("blocked"), 3000))]);
    console.log("write b during ro tx:", await w, Date.now() - t0);
    const b = await tx.get(ref2);
    console.log("inside ro tx a", a.get("v"), "b", b.get("v"));
    const w2 = await Promise.race([ref.set({ v: 3 }).then(() => "written"), new Promise((r) => setTimeout(() => r("blocked"), 3000))]);
    console.log("write a during ro tx (after read):", w2);
    const a2 = await tx.get(ref);
    console.log("reread a", a2.get("v"));
  }, { readOnly: true });
  // read-write transaction concurrent with ro tx
  await ref.set({ v: 10 });
  const ro = db().runTransaction(async (tx) => {
    const a = await tx.get(ref);
    await new Promise((r) => setTimeout(r, 1000));
    const q = await tx.get(db().collection("exp"));
    return [a.get("v"), q.docs.map((d) => d.get("v"))];
  }, { readOnly: true });
  const rw = db().runTransaction(async (tx) => { const a = await tx.get(ref); tx.set(ref, { v: a.get("v") + 1 }); tx.set(ref2, { v: 99 }); });
  const t1 = Date.now();
  console.log("rw done", await rw.then(() => Date.now() - t1, (e) => String(e)));
  console.log("ro result", JSON.stringify(await ro));
  // readTime
  const before = Timestamp.now();
  await new Promise((r) => setTimeout(r, 50));
  await ref.set({ v: 1000 });
  try {
    const r = await db().runTransaction(async (tx) => (await tx.get(ref)).get("v"), { readOnly: true, readTime: before });
    console.log("readTime read", r);
  } catch (e) { console.log("readTime err", String(e)); }
  try {
    const q = await db().collection("exp").get();
    console.log("readtime ts of query", q.readTime.toMillis());
  } catch (e) { console.log(e); }
}
main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
