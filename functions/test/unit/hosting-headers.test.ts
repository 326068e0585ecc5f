import { readFileSync } from "node:fs";
import { localHeaders, stackLayout } from "../../tools/stack/layout";
import { firebaseConfigPath } from "../../tools/stack/paths";

// The panel's headers as firebase.json deploys them, and the local copy the stack serves.
const hosting = (JSON.parse(readFileSync(firebaseConfigPath, "utf8")) as { hosting: { headers: Parameters<typeof localHeaders>[0] } })
  .hosting;
const cspOf = (headers: typeof hosting.headers) =>
  headers.find((r) => r.source === "**")!.headers.find((h) => h.key === "Content-Security-Policy")!.value;
const directive = (csp: string, name: string) => csp.split("; ").find((d) => d.startsWith(`${name} `)) ?? "";

describe("the panel's security headers", () => {
  it("deploy a CSP that refuses framing, inline and other scripts, plugins and every loopback origin", () => {
    const csp = cspOf(hosting.headers);
    expect(directive(csp, "frame-ancestors")).toBe("frame-ancestors 'none'");
    // Firebase Auth loads Google's api.js on Safari and mobile browsers, and frames its own page.
    expect(directive(csp, "script-src")).toBe("script-src 'self' https://apis.google.com");
    expect(directive(csp, "frame-src")).toBe("frame-src https://*.firebaseapp.com https://*.web.app");
    expect(directive(csp, "object-src")).toBe("object-src 'none'");
    expect(csp).not.toMatch(/unsafe-|http:|127\.0\.0\.1|localhost/);
    expect(directive(csp, "connect-src")).toMatch(/https:\/\/\*\.cloudfunctions\.net/);
  });

  it("open only connect-src and img-src to this stack's emulators and S3 store locally", () => {
    const layout = stackLayout({ FRESCO_PORT_OFFSET: "1000" });
    const local = cspOf(localHeaders(hosting.headers, layout));
    const deployed = cspOf(hosting.headers);
    const { functions, auth, s3 } = layout.hosts;
    expect(directive(local, "connect-src")).toBe(`${directive(deployed, "connect-src")} http://${functions} http://${auth} http://${s3}`);
    expect(directive(local, "img-src")).toBe(`${directive(deployed, "img-src")} http://${s3}`);
    const untouched = (csp: string) => csp.split("; ").filter((d) => !/^(connect|img)-src /.test(d));
    expect(untouched(local)).toEqual(untouched(deployed));
  });
});
