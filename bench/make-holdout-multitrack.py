#!/usr/bin/python3
"""Held-out multitrack songs for the automix balance: every OpenMSX MIDI file that shared/corpus-dev does not use.

    /usr/bin/python3 bench/make-holdout-multitrack.py OUT_DIR     (writes OUT_DIR/multitrack/<song>/)
    CORPUS_DEV=OUT_DIR node bench/run.mjs automix-levels           (scores automix on them)

Renders with shared/corpus-dev/make_multitrack.py's own functions (same FluidR3 GM render, stems per MIDI channel,
reference mix, 30 s window, scrambled copies), so the set is built exactly like the dev songs; only the songs and
windows differ: 30 s in (earlier for short songs), fluidsynth gain 0.3. Needs what corpus-dev's build installs
(fluidsynth, fluid-soundfont-gm, openttd-openmsx, python3-mido, python3-numpy). Two songs render at a time.
"""
import os
import sys
from multiprocessing import Pool

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'shared', 'corpus-dev'))
import make_multitrack as mm  # noqa: E402
import mido  # noqa: E402

DEV_SONGS = {song for song, _, _ in mm.SONGS}
GAIN = 0.3
OUT = None


def render(song):
    length = mido.MidiFile(os.path.join(mm.MIDI_DIR, song + '.mid')).length
    start = max(0.0, min(30.0, length - mm.WINDOW_S - 2.0))
    return mm.make_song(OUT, song, start, GAIN, mm.sf2_presets(mm.SF2), 'fluidsynth (holdout)')


def main(out):
    global OUT
    OUT = os.path.join(out, 'multitrack')
    os.makedirs(OUT, exist_ok=True)
    songs = sorted(f[:-4] for f in os.listdir(mm.MIDI_DIR) if f.endswith('.mid') and f[:-4] not in DEV_SONGS)
    with Pool(2) as pool:
        for summary in pool.imap_unordered(render, songs):
            print('holdout:', summary, flush=True)


if __name__ == '__main__':
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
