// Saves the live OpenAPI document of the service at BASE_URL to out/openapi.json.
import { mkdir, writeFile } from 'node:fs/promises';

const baseUrl = process.env.BASE_URL ?? 'http://127.0.0.1:5181';
const url = `${baseUrl}/swagger/v1/swagger.json`;
const response = await fetch(url);
if (!response.ok) {
  console.error(`GET ${url}: ${response.status}`);
  process.exit(1);
}
const document = await response.json();
await mkdir(new URL('../out/', import.meta.url), { recursive: true });
await writeFile(new URL('../out/openapi.json', import.meta.url), JSON.stringify(document, null, 2) + '\n');
const operations = Object.values(document.paths).flatMap((item) => Object.values(item).map((op) => op.operationId));
console.log(`openapi: saved ${url} (${operations.length} operations: ${operations.join(', ')})`);
