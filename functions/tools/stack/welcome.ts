import { demoPassword, demoUsers } from "../demo/data";
import { region } from "./paths";

/** What a developer needs once everything is up: where things are and how to call them. */
export function printWelcome(urls: { bridgeUrl: string; redisUrl: string; s3Url: string; project: string; offset: number }): void {
  const projectId = urls.project;
  const p = (port: number) => port + urls.offset;
  const fn = (name: string) => `http://127.0.0.1:${p(5001)}/${projectId}/${region}/${name}`;
  const admin = demoUsers.find((u) => u.admin)!;
  console.log(`
────────────────────────────────────────────────────────────────────────
 Fresco is running on the emulators (project ${projectId}) with demo data.

 Emulators        Firestore 127.0.0.1:${p(8080)} · Auth 127.0.0.1:${p(9099)} · Pub/Sub 127.0.0.1:${p(8085)}
                  Functions 127.0.0.1:${p(5001)} · hub 127.0.0.1:${p(4400)} (UI off)
 Redis            ${urls.redisUrl}
 Upstash REST     ${urls.bridgeUrl}  (token in functions/.secret.local)
 S3 (media)       ${urls.s3Url}  bucket fresco-media (s3rver; key/secret S3RVER)

 HTTP functions
   health         curl ${fn("health")}
   feed           curl '${fn("publicFeed")}?sort=score&limit=10'
   one item       curl '${fn("publicGeneration")}?id=demo-cy-1'
 Callables (admin): updateAestheticScore {historyId, uid, score}, getMirrorQueueStats {},
   retryDeadMirrorTasks {taskIds?}

 Demo users (password "${demoPassword}"): ${demoUsers.map((u) => u.email).join(", ")}
   ${admin.email} has the custom claim admin: true.
   Get an ID token for callables:
     curl -s -X POST 'http://127.0.0.1:${p(9099)}/identitytoolkit.googleapis.com/v1/accounts:signInWithPassword?key=any' \\
       -H 'content-type: application/json' \\
       -d '{"email":"${admin.email}","password":"${demoPassword}","returnSecureToken":true}'
   Call a callable:  curl -X POST ${fn("updateAestheticScore")} -H 'authorization: Bearer <idToken>' \\
       -H 'content-type: application/json' -d '{"data":{"historyId":"demo-cy-1","uid":"user-cy","score":9.5}}'

 Ctrl-C stops everything started here.
────────────────────────────────────────────────────────────────────────`);
}
