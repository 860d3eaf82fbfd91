// Checks every response against the live OpenAPI document: the status must be documented for the
// operation, documented required headers must be present, and the body must match the documented
// content type and schema. A drift between the document and the service's behaviour fails here.
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { Middleware } from 'openapi-fetch';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

type Json = Record<string, any>;

export class ContractError extends Error {}

export class Contract {
  readonly document: Json;
  readonly checked: string[] = [];
  private readonly ajv: Ajv;

  constructor(path: string) {
    this.document = JSON.parse(readFileSync(path, 'utf8'));
    this.ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(this.ajv);
    this.ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && Math.abs(n) < 2 ** 31 });
    this.ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
    this.ajv.addSchema(this.document, 'openapi');
  }

  has(path: string): boolean {
    return path in this.document.paths;
  }

  /** The middleware that checks each response an openapi-fetch client receives. */
  middleware(): Middleware {
    return {
      onResponse: async ({ request, response, schemaPath }) => {
        await this.check(request.method, schemaPath, response);
        return undefined;
      },
    };
  }

  async check(method: string, schemaPath: string, response: Response): Promise<void> {
    const where = `${method.toUpperCase()} ${schemaPath} -> ${response.status}`;
    const operation = this.document.paths[schemaPath]?.[method.toLowerCase()];
    if (!operation) throw new ContractError(`${where}: the operation is not in the document`);

    const status = String(response.status);
    const documented = operation.responses[status] ?? operation.responses.default;
    if (!documented) {
      throw new ContractError(`${where}: status not documented (documented: ${Object.keys(operation.responses).join(', ')})`);
    }

    for (const [name, header] of Object.entries<Json>(documented.headers ?? {})) {
      if (header.required && !response.headers.has(name)) throw new ContractError(`${where}: documented header ${name} is missing`);
    }

    const text = await response.clone().text();
    if (!documented.content) {
      if (text.length > 0) throw new ContractError(`${where}: documented without a body, but has one: ${text.slice(0, 200)}`);
    } else {
      const contentType = (response.headers.get('content-type') ?? '').split(';')[0]!.trim();
      if (!(contentType in documented.content)) {
        throw new ContractError(`${where}: content type "${contentType}" not documented (documented: ${Object.keys(documented.content).join(', ')})`);
      }
      const pointer = ['paths', schemaPath, method.toLowerCase(), 'responses', operation.responses[status] ? status : 'default', 'content', contentType, 'schema']
        .map((segment) => segment.replaceAll('~', '~0').replaceAll('/', '~1'))
        .join('/');
      const validate = this.ajv.getSchema(`openapi#/${pointer}`);
      if (!validate) throw new ContractError(`${where}: no schema at #/${pointer}`);
      const body = JSON.parse(text);
      if (!validate(body)) {
        throw new ContractError(`${where}: body does not match the documented schema: ${this.ajv.errorsText(validate.errors)}\n${text.slice(0, 500)}`);
      }
    }
    this.checked.push(`${operation.operationId} ${status}`);
  }
}
