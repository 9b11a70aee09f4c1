/** `mixmaster schema`: prints the session JSON Schema on stdout. */
import { sessionJsonSchema } from '../../api/mix-session.js';
import type { CommandIO } from '../command-io.js';

export async function schemaCommand(io: CommandIO): Promise<number> {
  io.stdout(JSON.stringify(sessionJsonSchema(), null, 2));
  return 0;
}
