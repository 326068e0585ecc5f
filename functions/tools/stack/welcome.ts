import { signatureHeader, signatureHeaderValue, signatureToleranceSeconds } from "../../src/credits/signature";
import { demoPassword, demoUsers } from "../demo/data";
import type { StackLayout } from "./layout";
import type { Schedule } from "./scheduler";

/** What a developer needs once everything is up: where things are and how to call them. */
export function printWelcome(
  layout: StackLayout,
  urls: { bridgeUrl: string; redisUrl: string; s3Url: string },
  schedules: Schedule[],
  webhookSecret: string,
  artUrls: string[],
): void {
  const projectId = layout.project;
  const { hosts } = layout;
  const fn = layout.functionUrl;
  const admin = demoUsers.find((u) => u.admin)!;
  // A purchase event for a demo user, signed now: the curl below works for the tolerance.
  const buyer = demoUsers.find((u) => !u.admin)!;
  const t = Math.floor(Date.now() / 1000);
  const purchase = JSON.stringify({ id: `evt_demo_${t}`, type: "credits.purchased", uid: buyer.uid, credits: 100 });
  console.log(`
────────────────────────────────────────────────────────────────────────
 Fresco is running on the emulators (project ${projectId}) with demo data.

 Admin panel      ${layout.panelUrl}  (sign in as ${admin.email} / ${demoPassword})

 Emulators        Firestore ${hosts.firestore} · Auth ${hosts.auth} · Pub/Sub ${hosts.pubsub}
                  Functions ${hosts.functions} · Hosting ${hosts.hosting} · hub ${hosts.hub} (UI off)
 Redis            ${urls.redisUrl}
 Upstash REST     ${urls.bridgeUrl}  (token in functions/.secret.local)
 S3 (media)       ${urls.s3Url}  bucket fresco-media (s3rver; key/secret S3RVER)

 HTTP functions
   health         curl ${fn("health")}
   feed           curl '${fn("publicFeed")}?sort=score&limit=10'
   one item       curl '${fn("publicGeneration")}?id=demo-cy-1'
   a profile      curl '${fn("userProfile")}?uid=user-cy'
   explore        curl '${fn("explore")}?q=lighthouse'
   credits        (the payment provider's webhook: 100 credits for ${buyer.uid}; signed at start, valid for
                  ${signatureToleranceSeconds / 60} minutes; sending it twice answers duplicate: true)
     curl -X POST ${fn("creditsWebhook")} -H 'content-type: application/json' \\
       -H '${signatureHeader}: ${signatureHeaderValue(webhookSecret, t, purchase)}' \\
       --data-binary '${purchase}'
     (CREDITS_WEBHOOK_SECRET is in functions/.secret.local; sign "<t>.<body>" with HMAC-SHA256)
 Callables (admin): updateAestheticScore {historyId, uid, score}, getMirrorQueueStats {},
   retryDeadMirrorTasks {taskIds?}, runMaintenanceJob {job, dryRun?, limit?},
   listMaintenanceRuns {job?, limit?}, findPublicItems {q}, getCacheOverview {}
 Callables (jams, any signed-in user): createJam {title}, addEntry {jamId, title, url?},
   vote {jamId, entryId, value}, jamQueue {jamId}, closeJam {jamId} (host);
   getVoteDebugInfo {jamId, limit?} (admin)
 Callables (people, any signed-in user): me {}, updateProfile {username?, displayName?, avatarUrl?,
   bio?}, followUser {targetUid}, unfollowUser {targetUid}, followingFeed {limit?, cursor?},
   listNotifications {limit?, cursor?}, markNotificationsRead {ids?}, deleteNotification {id}
 Callables (art sessions, any signed-in user): startArtSession {sessionId?}, generateArt {sessionId,
   prompt?, audioAnalysis?, musicInfo?, preferences?, clientRequestId?}, getProcessingStatus {requestId},
   nextArtworks {sessionId, limit?}, recordImpressions {sessionId, artworkIds}, watchArtSession
   {sessionId} (streaming: curl -N -H 'accept: text/event-stream' ...)
   Bo's demo art session (demo-bo-session), rendered by the local generator at start:
${artUrls.map((u) => `     ${u}`).join("\n")}
 Callables (canvas editor, any signed-in user): createCanvasProject {title?},
   applyCanvasOps {projectId, expectedOpIndex?, ops}, createCanvasMediaUpload {projectId,
   contentType, sizeBytes}, loadCanvasProject {projectId, cursor?}

 Schedules (run here on their schedule, as in production):
${schedules.map((s) => `   ${s.name.padEnd(26)} ${s.schedule} (${s.timeZone})`).join("\n")}

 Demo users (password "${demoPassword}"): ${demoUsers.map((u) => u.email).join(", ")}
   ${admin.email} has the custom claim admin: true.
   Get an ID token for callables:
     curl -s -X POST 'http://${hosts.auth}/identitytoolkit.googleapis.com/v1/accounts:signInWithPassword?key=any' \\
       -H 'content-type: application/json' \\
       -d '{"email":"${admin.email}","password":"${demoPassword}","returnSecureToken":true}'
   Call a callable:  curl -X POST ${fn("updateAestheticScore")} -H 'authorization: Bearer <idToken>' \\
       -H 'content-type: application/json' -d '{"data":{"historyId":"demo-cy-1","uid":"user-cy","score":9.5}}'

 Ctrl-C stops everything started here.
────────────────────────────────────────────────────────────────────────`);
}
