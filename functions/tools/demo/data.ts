/** The demo data set `npm start` loads: two creators, one admin, a handful of generations. */
export const demoPassword = "fresco-demo";

export const demoUsers = [
  { uid: "admin-ada", email: "ada@fresco.test", displayName: "Ada (admin)", admin: true },
  { uid: "user-bo", email: "bo@fresco.test", displayName: "Bo", admin: false },
  { uid: "user-cy", email: "cy@fresco.test", displayName: "Cy", admin: false },
] as const;

const img = (seed: string) => ({
  url: `https://picsum.photos/seed/${seed}/1024/1024`,
  width: 1024,
  height: 1024,
});

export const demoGenerations = [
  { uid: "user-bo", historyId: "demo-bo-1", prompt: "a lighthouse in a storm, oil painting", score: 8.7, isPublic: true, isDeleted: false },
  { uid: "user-bo", historyId: "demo-bo-2", prompt: "neon koi pond at night", score: 7.2, isPublic: true, isDeleted: false },
  { uid: "user-bo", historyId: "demo-bo-3", prompt: "private sketch of a cat", score: 6.1, isPublic: false, isDeleted: false },
  { uid: "user-cy", historyId: "demo-cy-1", prompt: "brutalist library in the clouds", score: 9.1, isPublic: true, isDeleted: false },
  { uid: "user-cy", historyId: "demo-cy-2", prompt: "watercolor fox in snow", score: undefined, isPublic: true, isDeleted: false },
  { uid: "user-cy", historyId: "demo-cy-3", prompt: "deleted experiment", score: 3.3, isPublic: true, isDeleted: true },
].map((g, i) => ({
  ...g,
  model: i % 2 ? "flux-1.1-pro" : "sdxl-turbo",
  images: [img(g.historyId)],
  videos: [],
}));
