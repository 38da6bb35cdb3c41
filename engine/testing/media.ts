/**
 * Test media made at test time with ffmpeg (Debian's package; see scripts/prereqs.mjs): a generated
 * picture and tone, H.264/AAC or HEVC/AAC in MP4, with the index (moov) at the end unless `faststart`.
 */
import { spawnSync } from 'node:child_process';

export interface MediaSpec {
  readonly out: string;
  readonly seconds: number;
  readonly codec: 'h264' | 'hevc';
  /** Video bitrate in kbit/s. */
  readonly videoKbps: number;
  /** Put the index first (-movflags +faststart). Default false: the index is at the end, as a plain ffmpeg mux leaves it. */
  readonly faststart?: boolean;
}

const ENCODER = { h264: 'libx264', hevc: 'libx265' } as const;

/** Makes the file, or throws one line saying what is missing. */
export function makeTestVideo(spec: MediaSpec): void {
  const version = spawnSync('ffmpeg', ['-hide_banner', '-version'], { encoding: 'utf8', timeout: 20_000 });
  if (version.error || version.status !== 0) throw new Error('ffmpeg is not installed: the streaming tests make their video with it (sudo apt-get install -y ffmpeg)');
  const args = [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=640x360:rate=25:duration=${spec.seconds}`,
    '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${spec.seconds}`,
    '-c:v', ENCODER[spec.codec], '-b:v', `${spec.videoKbps}k`, '-pix_fmt', 'yuv420p',
    // Keyframes every second, so a seek lands near where it asks.
    '-g', '25',
    ...(spec.codec === 'hevc' ? ['-tag:v', 'hvc1', '-x265-params', 'log-level=error'] : ['-preset', 'veryfast']),
    '-c:a', 'aac', '-b:a', '64k',
    ...(spec.faststart ? ['-movflags', '+faststart'] : []),
    spec.out,
  ];
  const r = spawnSync('ffmpeg', args, { encoding: 'utf8', timeout: 180_000 });
  if (r.error || r.status !== 0) throw new Error(`ffmpeg could not make ${spec.out}: ${(r.error?.message ?? r.stderr).trim().split('\n')[0]}`);
}
