/**
 * The automix session as readable YAML: the session itself (valid for `mixmaster mix`) with a comment on
 * every track saying what the automix decided and why (role and its evidence, loudness, trim, balance, pan,
 * EQ, compression), and on the master. Inserts are written one per line (flow style).
 */
import { Document, isMap, isSeq, type YAMLMap, type YAMLSeq } from 'yaml';
import type { AutomixPlan } from './plan-automix.js';
import { MIX_TARGET_LUFS, STAGE_LUFS } from './dynamics.js';

const f1 = (x: number | null) => (x === null ? 'n/a' : x.toFixed(1));

/** Comment lines for one stem's decisions. */
function stemComment(plan: AutomixPlan, i: number): string {
  const d = plan.stems[i];
  const lines = [
    ` ${d.name}: role ${d.role.role} (from ${d.role.source}: ${d.role.evidence.join('; ')})`,
    ` loudness ${f1(d.features.loudnessLufs)} LUFS (active parts), crest ${f1(d.features.crestDb)} dB, activity ${Math.round(d.features.activity * 100)} %, ${d.features.isStereo ? 'stereo' : 'mono'}`,
    ` inserts[0] trim ${d.trimDb.toFixed(2)} dB stages it at ${STAGE_LUFS} LUFS; fader ${d.faderDb.toFixed(2)} dB puts it at ${f1(d.targetLufs)} LUFS in the mix (role level + processing make-up)`,
    ` balance: ${d.balance.reason}`,
    ` pan ${d.pan}: ${d.panReason}`,
  ];
  if (d.eq.highpassHz !== null || d.eq.cuts.length > 0) {
    const parts = [d.eq.highpassReason, ...d.eq.cuts.map((c) => `${c.gainDb} dB at ${c.freqHz} Hz (room for ${c.against})`)];
    lines.push(` eq: ${parts.join('; ')}`);
  }
  lines.push(` compressor: ${d.compression.reason}`);
  return lines.join('\n');
}

/** Sets flow style on the maps of a sequence (one insert or send per line). */
function flowItems(node: unknown): void {
  if (!isSeq(node)) return;
  for (const it of (node as YAMLSeq).items) if (isMap(it)) (it as YAMLMap).flow = true;
}

/**
 * Serializes an automix plan's session with comments.
 * @param header first comment lines (e.g. how it was made)
 */
export function automixSessionYaml(plan: AutomixPlan, header: string[] = []): string {
  const doc = new Document(plan.session);
  doc.commentBefore = [
    ...header.map((h) => ` ${h}`),
    ' Every decision is editable; re-render with: mixmaster mix <this file> -o mix.wav',
    ` Flow per track: trim (gain staging) -> eq -> compressor -> fader (balance) -> pan -> reverb send. Mix aimed at ${MIX_TARGET_LUFS} LUFS.`,
  ].join('\n');
  const tracks = doc.get('tracks') as YAMLSeq;
  tracks.items.forEach((item, i) => {
    const map = item as YAMLMap;
    map.commentBefore = stemComment(plan, i);
    flowItems(map.get('inserts', true));
    flowItems(map.get('sends', true));
  });
  const buses = doc.get('buses') as YAMLSeq | undefined;
  if (buses && isSeq(buses)) {
    buses.items.forEach((b) => flowItems((b as YAMLMap).get('inserts', true)));
    if (buses.items.length > 0) (buses.items[0] as YAMLMap).commentBefore = ' shared reverb: high-passed, darkened, fully wet return; tracks send post-fader by role';
  }
  const master = doc.get('master') as YAMLMap;
  flowItems(master.get('inserts', true));
  const m = plan.mix;
  const notes = [` master: ${m.glue ? 'glue compressor (1.5:1, slow attack)' : 'no glue'}`];
  if (m.reference) notes.push(` reference tone match: ${m.reference.bands.length} EQ bands, predicted difference ${m.reference.rmsBeforeDb.toFixed(1)} -> ${m.reference.rmsAfterDb.toFixed(1)} dB RMS; gainDb matches the reference loudness`);
  notes.push(` mono fold-down of the mix: ${m.mono.mixMonoFoldDb.toFixed(1)} dB${m.mono.ok ? ' (ok)' : ' (check)'}`);
  master.commentBefore = notes.join('\n');
  return doc.toString({ lineWidth: 0 });
}
