// Lint is syntactic (no type information) so that it stays fast; tsc does the type checking.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Import specifiers (regular expressions) each layer may not use; see the layering blocks below. */
const LAYERS = {
  /** Any path into controller/. */
  controller: String.raw`(^|/)controller/`,
  /** Any path into agent/ other than agent/contract/. */
  agentInternals: String.raw`(^|/)agent/(?!contract/)`,
  /** Node built-ins that reach files, the network, processes or the host. */
  nodeIo: String.raw`^(node:)?(fs|fs/promises|net|dns|dns/promises|dgram|tls|http|https|http2|child_process|cluster|os|worker_threads|readline|process)$`,
  /** Packages that talk to the world. */
  ioPackages: String.raw`^(mysql2|fastify|pino|prom-client|@kubernetes/client-node)(/|$)`,
  /** Agent modules that do I/O, seen from agent/plan/. */
  agentIo: String.raw`(^|/)(commands|kube|dns|http|process)/|/meta/(fe-meta|node-conf)\.ts$|/sql/(fe-client|credentials)\.ts$|/contract/log\.ts$|/config\.ts$`,
};

/** A LAYERS regex inside an esquery selector, where a `/` would end the regex literal. */
const inSelector = (regex) => regex.replaceAll('/', String.raw`\x2F`);

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.cache/**', '.tap/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'error',
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    files: ['test/**/*.ts', '**/*.js'],
    rules: { 'no-console': 'off' },
  },
  // Layering (issue 15): the agent never depends on the controller; the controller sees only the
  // agent's public contract; the agent's pure decisions do no I/O. test/lint/layering.test.ts
  // shows each rule failing on a forbidden import.
  {
    files: ['agent/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: LAYERS.controller, message: 'agent/ never imports controller/: move what both need into agent/contract/.' }] }],
      'no-restricted-syntax': ['error', { selector: `ImportExpression[source.value=/${inSelector(LAYERS.controller)}/]`, message: 'agent/ never imports controller/.' }],
    },
  },
  {
    files: ['controller/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: LAYERS.agentInternals, message: 'the controller imports only the agent\'s public contract, agent/contract/.' }] }],
      'no-restricted-syntax': ['error', { selector: `ImportExpression[source.value=/${inSelector(LAYERS.agentInternals)}/]`, message: 'the controller imports only agent/contract/.' }],
    },
  },
  {
    files: ['agent/plan/**/*.ts'],
    rules: {
      // Type imports carry no code: a plan may name the shape of what the shell observed.
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: LAYERS.nodeIo, allowTypeImports: true, message: 'agent/plan/ is pure: I/O belongs to the shell (commands, kube, dns, sql/fe-client...).' },
            { regex: LAYERS.ioPackages, allowTypeImports: true, message: 'agent/plan/ is pure: no driver, server or logger packages.' },
            { regex: LAYERS.agentIo, allowTypeImports: true, message: 'agent/plan/ is pure: it takes observations as arguments instead of importing the modules that make them.' },
          ],
        },
      ],
      'no-restricted-syntax': ['error', { selector: 'ImportExpression', message: 'agent/plan/ is pure: no dynamic imports.' }],
    },
  },
);
