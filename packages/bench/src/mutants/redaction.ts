import { area, client, client4, core, coreTests, src } from "./types.js"

export const redaction = area("Redaction", [
  // Redaction
  {
    id: "authorization-shown",
    promise: "a bearer token never appears in an error's headers",
    file: `${core}Redaction.ts`,
    find: "\n  \"authorization\",\n",
    replace: "\n",
    tests: [
      ...coreTests("Redaction"),
      ...client("Behaviour", "ApiError", "Leak"),
      ...client4("Behaviour", "ApiError", "Leak")
    ]
  },
  {
    id: "auth-header-names-shown",
    promise: "a custom API-key header never appears in error headers",
    file: `${src}attempt.ts`,
    find: "const headers = redact.redactHeaders(response.headers, sensitiveHeaders)",
    replace: "const headers = redact.redactHeaders(response.headers)",
    tests: client("Behaviour", "Leak")
  },
  {
    id: "query-key-shown",
    promise: "a query API key never appears in an error, a log or a span",
    file: `${src}apiClient.ts`,
    find: "...(auth?.sensitiveQueryParams ?? []).map((s) => s.toLowerCase())",
    replace: "",
    tests: client("Auth", "Leak")
  },
  {
    id: "user-info-shown",
    promise: "URLs in errors, logs and spans never carry user info",
    file: `${core}Redaction.ts`,
    find: "parsed.username = \"\"\n    parsed.password = \"\"",
    replace: "parsed.username = parsed.username",
    tests: [...coreTests("Redaction"), ...client("Behaviour", "ApiError"), ...client4("Behaviour", "ApiError")]
  },
  {
    id: "transport-message-user-info",
    promise: "a transport's message that quotes the URL (fetch) never shows its user info",
    file: `${src}transportFailure.ts`,
    find: "      ? redactUserInfo(detail, request.url)\n",
    replace: "      ? detail\n",
    tests: client("Trust")
  },
  {
    id: "transport-cause-user-info",
    promise: "nor does the error's cause, which prints the same message",
    file: `${src}transportFailure.ts`,
    find: "cause: causeWithoutSecrets(request.url, cause, proxy),",
    replace: "cause,",
    tests: client("Trust")
  },
  {
    id: "user-info-by-value-only",
    promise: "a short password goes with the quoted URL, not only passwords long enough to mask by value",
    file: `${core}Redaction.ts`,
    find: "const out = text.includes(userInfo) ? text.split(userInfo).join(\"//\") : text",
    replace: "const out = text",
    tests: [...coreTests("Redaction"), ...client("Trust"), ...client4("Trust")]
  }
])
