import effect from "@effect/eslint-plugin"
import js from "@eslint/js"
import tseslint from "typescript-eslint"

export default tseslint.config(
  { ignores: ["**/build/**", "**/dist/**", "**/node_modules/**", "**/*.d.ts", "**/*.mjs"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...effect.configs.dprint,
  {
    files: ["**/*.ts"],
    rules: {
      "@effect/dprint": [
        "error",
        {
          config: {
            indentWidth: 2,
            lineWidth: 120,
            semiColons: "asi",
            quoteStyle: "alwaysDouble",
            trailingCommas: "never",
            operatorPosition: "maintain",
            "arrowFunction.useParentheses": "force"
          }
        }
      ],
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-namespace": "off",
      "@typescript-eslint/consistent-type-imports": "error",
      "no-restricted-imports": ["error", { patterns: ["**/internal/**", "!./internal/*", "!../internal/*"] }]
    }
  },
  {
    files: [
      "packages/client/src/**/*.ts",
      "packages/testing/src/**/*.ts",
      "packages/client-effect3/src/**/*.ts",
      "packages/testing-effect3/src/**/*.ts"
    ],
    rules: {
      "no-restricted-imports": ["error", { paths: [{ name: "effect", message: "Import one module: effect/Effect" }] }]
    }
  },
  {
    // the core decides; the Effect lines adapt: no effect import here, nor anything Node-only
    files: ["packages/core/src/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", {
        patterns: [
          { group: ["effect", "effect/*", "@effect/*"], message: "The core has no Effect import" },
          { group: ["node:*", "undici"], message: "The core runs in browsers too" }
        ]
      }]
    }
  },
  {
    // what the demo and the chaos run say and check, shared by both Effect lines' examples
    files: ["packages/examples/src/shared/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", {
        patterns: [
          { group: ["effect", "effect/*", "@effect/*", "@steady/*"], message: "Shared by both Effect lines: no Effect import" }
        ]
      }]
    }
  },
  {
    files: ["packages/*/test/**/*.ts"],
    rules: { "no-restricted-imports": "off" }
  }
)
