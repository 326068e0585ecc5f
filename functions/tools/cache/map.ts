// `npm run cache:map`: the invalidation map as a table, write action -> the reads it makes
// stale (and which functions make and serve them). Reads nothing but the code.
import { endpointCache } from "../../src/cache/endpoints";
import { families, invalidationTable, writes } from "../../src/cache/map";

const users = (kind: "reads" | "writes", name: string) =>
  Object.entries(endpointCache)
    .filter(([, use]) => use !== "uncached" && (use[kind] as string[] | undefined)?.includes(name))
    .map(([fn]) => fn);

const rows = invalidationTable().map((row) => ({
  write: row.write,
  "made by": users("writes", row.write).join(", "),
  tags: [...new Set(writes[row.write as keyof typeof writes].tags(new Proxy({}, { get: () => "*" }) as never))].join(" "),
  "reads it changes": row.reads.map((r) => `${r} (${users("reads", r).join(", ") || "-"})`).join("; "),
}));

const markdown = process.argv.includes("--markdown");
if (markdown) {
  const cols = Object.keys(rows[0]!);
  console.log(`| ${cols.join(" | ")} |\n| ${cols.map(() => "---").join(" | ")} |`);
  for (const r of rows) console.log(`| ${cols.map((c) => r[c as keyof typeof r]).join(" | ")} |`);
} else console.table(rows);
console.log(`\n${Object.keys(families).length} read families, ${Object.keys(writes).length} write actions.`);
