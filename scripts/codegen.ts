/**
 * Extracts the operations localconnect implements from the official AWS service models
 * (botocore's JSON form) and generates everything the edge derives from them:
 *
 *   spec/models/<svc>.json         shapes, constraints, HTTP bindings (no documentation)
 *   src/generated/<svc>/shapes.ts  TypeScript types for those shapes
 *   src/generated/<svc>/errors.ts  one ServiceError subclass per modelled error
 *   src/generated/<svc>/api.ts     the provider interface, one method per operation
 *   docs/coverage.md               which operations of each model are implemented
 *
 * Usage: npm run codegen [-- --botocore-data DIR]   (DIR defaults to the installed botocore's)
 * Model quirks are fixed with JSON-Patch files in spec/patches/<svc>.json, applied after
 * extraction, never by editing the output.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import jsonPatch from 'fast-json-patch';
import type { MemberRef, Operation, ServiceModel, Shape } from '../src/aws/protocol/model.ts';

const root = new URL('../', import.meta.url).pathname;
const implemented = JSON.parse(readFileSync(join(root, 'spec/implemented.json'), 'utf8')) as Record<
  string,
  { botocore: string; operations: string[]; extraShapes: string[] }
>;

function botocoreDataDir(): string {
  const flag = process.argv.indexOf('--botocore-data');
  if (flag > 0) return process.argv[flag + 1];
  const pkg = execFileSync(
    'python3',
    ['-c', 'import botocore, os; print(os.path.dirname(botocore.__file__))'],
    {
      encoding: 'utf8',
    },
  ).trim();
  return join(pkg, 'data');
}

function botocoreVersion(): string {
  try {
    return execFileSync('python3', ['-c', 'import botocore; print(botocore.__version__)'], {
      encoding: 'utf8',
    }).trim();
  } catch {
    return 'unknown';
  }
}

const KEEP_SHAPE_KEYS = [
  'type',
  'members',
  'required',
  'member',
  'key',
  'value',
  'min',
  'max',
  'pattern',
  'enum',
  'union',
  'sensitive',
  'timestampFormat',
  'error',
  'exception',
  'fault',
];
const KEEP_MEMBER_KEYS = [
  'shape',
  'location',
  'locationName',
  'idempotencyToken',
  'jsonvalue',
  'timestampFormat',
];

function pick<T extends object>(obj: Record<string, unknown>, keys: string[]): T {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (obj[k] !== undefined) out[k] = obj[k];
  return out as T;
}

/** extraShapes: errors AWS answers on these operations although their models do not list them. */
function extract(svc: string, full: any, opNames: string[], extraShapes: string[]): ServiceModel {
  const shapes: Record<string, Shape> = {};
  const visit = (name: string): void => {
    if (shapes[name]) return;
    const raw = full.shapes[name];
    if (!raw) throw new Error(`${svc}: shape ${name} missing from the model`);
    const shape = pick<Shape>(raw, KEEP_SHAPE_KEYS);
    shapes[name] = shape;
    if (raw.members) {
      shape.members = {};
      for (const [m, ref] of Object.entries<any>(raw.members)) {
        shape.members[m] = pick(ref, KEEP_MEMBER_KEYS);
        visit(ref.shape);
      }
    }
    for (const k of ['member', 'key', 'value'] as const) {
      if (raw[k]) {
        shape[k] = pick<MemberRef>(raw[k], KEEP_MEMBER_KEYS);
        visit(raw[k].shape);
      }
    }
  };
  const operations: Record<string, Operation> = {};
  for (const name of opNames) {
    const op = full.operations[name];
    if (!op) throw new Error(`${svc}: operation ${name} missing from the model`);
    operations[name] = {
      name,
      http: pick(op.http, ['method', 'requestUri', 'responseCode']),
      ...(op.input ? { input: { shape: op.input.shape } } : {}),
      ...(op.output ? { output: { shape: op.output.shape } } : {}),
      errors: (op.errors ?? []).map((e: { shape: string }) => e.shape),
    };
    if (op.input) visit(op.input.shape);
    if (op.output) visit(op.output.shape);
    for (const e of op.errors ?? []) visit(e.shape);
  }
  for (const name of extraShapes) visit(name);
  const m = full.metadata;
  return {
    metadata: {
      serviceId: m.serviceId,
      apiVersion: m.apiVersion,
      signingName: m.signingName ?? m.endpointPrefix,
      protocol: m.protocol,
      source: `botocore ${botocoreVersion()}`,
    },
    operations,
    shapes: Object.fromEntries(Object.entries(shapes).sort(([a], [b]) => a.localeCompare(b))),
    allOperations: Object.entries<any>(full.operations)
      .map(([name, op]) => ({ name, method: op.http.method, requestUri: op.http.requestUri }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  };
}

// ---------------------------------------------------------------- TypeScript generation

const RESERVED = new Set([
  'Date',
  'Error',
  'String',
  'Number',
  'Boolean',
  'Object',
  'Map',
  'Record',
  'Promise',
  'Array',
]);
const typeName = (shape: string): string => (RESERVED.has(shape) ? `${shape}Shape` : shape);
export const methodName = (op: string): string => op[0].toLowerCase() + op.slice(1);

function tsType(model: ServiceModel, name: string): string {
  const s = model.shapes[name];
  switch (s.type) {
    case 'structure':
      return typeName(name);
    case 'list':
      return `${tsType(model, s.member!.shape)}[]`;
    case 'map':
      return `Record<string, ${tsType(model, s.value!.shape)}>`;
    case 'string':
      return s.enum ? typeName(name) : 'string';
    case 'integer':
    case 'long':
    case 'double':
    case 'float':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'timestamp':
      return 'Date';
    case 'blob':
      return 'Uint8Array';
  }
}

const HEADER = '// Generated by scripts/codegen.ts from the official service model. Do not edit.\n';

function shapesTs(model: ServiceModel): string {
  let out = HEADER;
  for (const [name, s] of Object.entries(model.shapes)) {
    if (s.type === 'string' && s.enum) {
      const n = typeName(name);
      out += `\nexport const ${n} = {\n${s.enum.map((v) => `  ${JSON.stringify(v)}: ${JSON.stringify(v)},`).join('\n')}\n} as const;\n`;
      out += `export type ${n} = (typeof ${n})[keyof typeof ${n}];\n`;
    } else if (s.type === 'structure') {
      const req = new Set(s.required ?? []);
      const members = Object.entries(s.members ?? {})
        .map(([m, ref]) => `  ${m}${req.has(m) ? '' : '?'}: ${tsType(model, ref.shape)};`)
        .join('\n');
      out += `\nexport interface ${typeName(name)} {\n${members}${members ? '\n' : ''}}\n`;
    }
  }
  return out;
}

function errorsTs(model: ServiceModel): string {
  let out = `${HEADER}import { ServiceError } from '../../aws/service-error.ts';\n`;
  for (const [name, s] of Object.entries(model.shapes)) {
    if (!s.exception) continue;
    const status = s.error?.httpStatusCode ?? 400;
    // The models mark few errors as faults; a 5xx is the server's fault whatever they say.
    const fault = s.fault || status >= 500 ? 'server' : 'client';
    out += `\nexport class ${typeName(name)} extends ServiceError {\n  constructor(message: string, extra?: Record<string, unknown>) {\n    super(${JSON.stringify(name)}, ${status}, message, ${JSON.stringify(fault)}, extra);\n  }\n}\n`;
  }
  return out;
}

function apiTs(model: ServiceModel, svc: string): string {
  const iface = `${model.metadata.serviceId.replace(/\s/g, '')}Api`;
  const used = new Set<string>();
  const methods = Object.values(model.operations).map((op) => {
    const input = op.input ? typeName(op.input.shape) : 'Record<string, never>';
    const output = op.output ? typeName(op.output.shape) : 'Record<string, never>';
    if (op.input) used.add(input);
    if (op.output) used.add(output);
    return `  ${methodName(op.name)}(input: ${input}, ctx: RequestContext): Promise<${output}>;`;
  });
  return (
    `${HEADER}import type { RequestContext } from '../../aws/request-context.ts';\n` +
    `import type { ${[...used].sort().join(', ')} } from './shapes.ts';\n\n` +
    `/** The ${svc} operations localconnect implements. */\nexport interface ${iface} {\n${methods.join('\n')}\n}\n`
  );
}

function coverageMd(models: Record<string, ServiceModel>): string {
  let out =
    '# API coverage\n\nGenerated by `npm run codegen` from the official service models. Operations not listed as implemented answer HTTP 501 `NotImplementedException`.\n';
  out += '\n## Implemented\n';
  for (const model of Object.values(models)) {
    const done = Object.keys(model.operations).sort();
    out += `\n${model.metadata.serviceId} (${done.length}): ${done.join(', ')}.\n`;
  }
  for (const [svc, model] of Object.entries(models)) {
    const done = Object.keys(model.operations);
    out += `\n## ${model.metadata.serviceId} (${model.metadata.apiVersion}): ${done.length} of ${model.allOperations.length}\n\n`;
    out += '| Operation | Method | URI | Implemented |\n| --- | --- | --- | --- |\n';
    for (const op of model.allOperations) {
      out += `| ${op.name} | ${op.method} | \`${op.requestUri}\` | ${done.includes(op.name) ? 'yes' : ''} |\n`;
    }
    void svc;
  }
  return out;
}

// ---------------------------------------------------------------- main

const dataDir = botocoreDataDir();
const models: Record<string, ServiceModel> = {};
for (const [svc, conf] of Object.entries(implemented)) {
  const full = JSON.parse(gunzipSync(readFileSync(join(dataDir, conf.botocore))).toString('utf8'));
  const patches = JSON.parse(readFileSync(join(root, `spec/patches/${svc}.json`), 'utf8'));
  const model = jsonPatch.applyPatch(
    extract(svc, full, conf.operations, conf.extraShapes),
    patches,
  ).newDocument;
  models[svc] = model;
  writeFileSync(join(root, `spec/models/${svc}.json`), JSON.stringify(model, null, 1) + '\n');
  const gen = join(root, `src/generated/${svc}`);
  mkdirSync(gen, { recursive: true });
  writeFileSync(join(gen, 'shapes.ts'), shapesTs(model));
  writeFileSync(join(gen, 'errors.ts'), errorsTs(model));
  writeFileSync(join(gen, 'api.ts'), apiTs(model, svc));
  console.log(`${svc}: ${conf.operations.length} operations, ${Object.keys(model.shapes).length} shapes`);
}
writeFileSync(join(root, 'docs/coverage.md'), coverageMd(models));
