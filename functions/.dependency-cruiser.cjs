/**
 * The layering of functions/src, checked in `npm run lint` (a cycle or a wrong-way import fails
 * CI). Each folder may import only the folders listed for it, which makes folder cycles
 * impossible; and a domain's `index.ts` (its trigger wiring) is imported by src/index.ts only.
 */
const layers = {
  shared: [],
  cache: ["shared"],
  maintenance: ["shared"],
  limits: ["cache", "shared"],
  mirror: ["cache", "shared"],
  people: ["cache", "limits", "mirror", "shared"],
  credits: ["cache", "limits", "people", "shared"],
  images: ["cache", "limits", "mirror", "people", "shared"],
  feed: ["cache", "limits", "mirror", "people", "shared"],
  signup: ["cache", "limits", "maintenance", "mirror", "people", "shared"],
  jams: ["cache", "limits", "shared"],
  canvas: ["canvas/media", "limits", "maintenance", "shared"],
  "canvas/media": ["maintenance", "shared"],
  health: ["cache", "limits", "shared"],
  art: ["art/providers", "cache", "canvas/media", "credits", "limits", "maintenance", "people", "shared"],
  "art/providers": [],
  admin: ["art", "cache", "canvas", "canvas/media", "feed", "limits", "maintenance", "mirror", "shared", "signup"],
};

const folderOf = (name) => `^src/${name.replace("/", "\\/")}/[^/]+$`;

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "No import cycles, between modules or folders.",
      from: { path: "^src/" },
      to: { circular: true },
    },
    ...Object.entries(layers).map(([folder, allowed]) => ({
      name: `layer-${folder.replace("/", "-")}`,
      severity: "error",
      comment: `src/${folder} may import only: ${[folder, ...allowed].join(", ")}`,
      from: { path: folderOf(folder) },
      to: {
        path: "^src/",
        pathNot: [folder, ...allowed].map(folderOf),
      },
    })),
    {
      name: "triggers-are-wired-only-in-src-index",
      severity: "error",
      comment: "A domain's index.ts holds its trigger wiring; only src/index.ts imports it.",
      from: { path: "^src/", pathNot: "^src/index\\.ts$" },
      to: { path: "^src/.+/index\\.ts$" },
    },
    {
      name: "src-is-self-contained",
      severity: "error",
      comment: "Deployed code never imports tools, tests or benchmarks.",
      from: { path: "^src/" },
      to: { path: "^(tools|test|bench)/" },
    },
    {
      name: "no-unlisted-folder",
      severity: "error",
      comment: "A new folder of src/ needs its line in `layers` above.",
      from: { path: "^src/", pathNot: ["^src/[^/]+\\.ts$", ...Object.keys(layers).map(folderOf)] },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsConfig: { fileName: "tsconfig.build.json" },
    tsPreCompilationDeps: true,
  },
};
