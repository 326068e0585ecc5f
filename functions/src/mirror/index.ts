import { onDocumentWritten } from "firebase-functions/firestore";
import { db } from "../shared/firebase";
import { onSourceWritten } from "./on-source-written";
import { generationHistory, historyItems } from "./paths";

/** Any write to a generationHistory item, by anyone, enqueues a mirror task. */
export const onGenerationHistoryWritten = onDocumentWritten(
  { document: `${generationHistory}/{uid}/${historyItems}/{historyId}`, retry: true },
  (event) =>
    onSourceWritten(db(), {
      eventId: event.id,
      uid: event.params.uid,
      historyId: event.params.historyId,
      before: event.data?.before.exists ? event.data.before.data() : undefined,
      after: event.data?.after.exists ? event.data.after.data() : undefined,
    }),
);
