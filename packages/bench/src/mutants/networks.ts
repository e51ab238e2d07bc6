import { area, client, client4, core, src, src4 } from "./types.js"

export const networks = area("Networks", [
  {
    id: "noproxy-bare-suffix",
    promise: "NO_PROXY's example.com matches example.com and its subdomains, never badexample.com",
    file: `${core}Network.ts`,
    find: "(host === entry.domain || host.endsWith(`.${entry.domain}`))",
    replace: "host.endsWith(entry.domain)",
    tests: client("Networks").concat("packages/core/test/Network.test.ts")
  },
  {
    id: "proxy-credentials-shown",
    promise: "a proxy's credentials never appear in an error, a span or a log",
    file: `${src}network.ts`,
    find: "    const target = Network.parseProxy(value, auth)\n",
    replace: "    const target = { ...Network.parseProxy(value, auth), shown: value }\n",
    tests: client("Networks")
  },
  {
    id: "tls-failure-retried",
    promise: "a certificate that failed verification is not retried (the server sees one connection)",
    file: `${core}Classification.ts`,
    find: "  \"ConnectTimeout\",\n  \"Reset\",\n  \"Transport\",\n  \"Proxy\"\n",
    replace: "  \"ConnectTimeout\",\n  \"Tls\",\n  \"Reset\",\n  \"Transport\",\n  \"Proxy\"\n",
    tests: client("Networks")
  },
  {
    id: "pool-sets-global-dispatcher",
    promise: "a pool's proxy and TLS settings are its own: the global dispatcher is never replaced",
    file: `${src}network.ts`,
    find: "  const proxies = settings.proxy === false\n",
    replace: "  Undici.setGlobalDispatcher(direct)\n  const proxies = settings.proxy === false\n",
    tests: client("Networks")
  },
  {
    id: "pool-sets-global-dispatcher-effect4",
    promise: "(Effect 4) a pool's settings are its own: the global dispatcher is never replaced",
    file: `${src4}network.ts`,
    find: "  const proxies = settings.proxy === false\n",
    replace: "  Undici.setGlobalDispatcher(direct)\n  const proxies = settings.proxy === false\n",
    tests: client4("Networks")
  },
  {
    id: "goaway-not-sent",
    promise: "after GOAWAY a request may have been processed: a POST without a key is not replayed",
    file: `${core}Network.ts`,
    find: "  if (refusedStream(message)) return { reason: \"Reset\", sent: false, code }\n",
    replace:
      "  if (refusedStream(message) || message.includes(\"GOAWAY\")) return { reason: \"Reset\", sent: false, code }\n",
    tests: client("Networks")
  },
  ...([
    ["", src, client("Networks")],
    ["-effect4", src4, client4("Networks")]
  ] as const).flatMap(([suffix, dir, tests]) => [
    {
      id: `networks-generic-proxy-unmarked${suffix}`,
      promise:
        "through a transformed pool HttpClient, a refused or 407ing proxy is Proxy, not sent (a POST is retried)",
      file: `${dir}network.ts`,
      find: "    poolFailure.mark(error, this.#started, this.proxy())\n",
      replace: "",
      tests
    },
    {
      id: `networks-generic-started-ignored${suffix}`,
      promise:
        "through a transformed pool HttpClient, a proxy that resets the connection before the request is Proxy, not sent",
      file: `${dir}transportFailure.ts`,
      find: "  return marked.mark.started\n",
      replace: "  return true\n",
      tests
    },
    {
      id: `networks-tls13-alert-dropped${suffix}`,
      promise: "a TLS 1.3 server's refusal of the client certificate is Tls with its alert's code, not a Reset",
      file: `${dir}network.ts`,
      find: "            error.cause = alert\n",
      replace: "            void alert\n",
      tests
    },
    {
      id: `networks-proxied-uncounted${suffix}`,
      promise: "the open-connections gauge counts the connections through a proxy",
      file: `${dir}network.ts`,
      find: "        observe(pool)\n",
      replace: "",
      tests
    }
  ])
])
