// The model as the gateway sees it: the artifact bytes (sent to the inference workers) and
// what the pipeline reads from its metadata (models/FORMAT.md "Metadata": input, classes).
import { readFile } from 'node:fs/promises';
import { readArtifact } from '../../models/format/read.ts';
import { loadZooModel } from '../../models/zoo/index.ts';
import type { ModelArtifact } from '../../models/format/types.ts';
import { createChannelSelector } from './channels.ts';
import { PipelineError } from './errors.ts';
import type { ModelInputSpec } from './types.ts';
import type { ModeTableRow } from '../budget/modes.ts';

export interface GatewayModel {
  readonly id: string;
  readonly bytes: Uint8Array;
  readonly input: ModelInputSpec;
  readonly classes: readonly string[];
  /**
   * The operating-mode table of the metadata (models/FORMAT.md "Metadata" `modes`): what the
   * battery budget chooses from (daemon/budget). Absent for hand-made test models: no budget.
   */
  readonly modes?: readonly ModeTableRow[];
}

/** Validates the artifact (readArtifact throws ArtifactError) and checks the pipeline can feed it. */
export function gatewayModelFromBytes(bytes: Uint8Array): GatewayModel {
  return gatewayModelFromArtifact(readArtifact(bytes));
}

export function gatewayModelFromArtifact(artifact: ModelArtifact): GatewayModel {
  const { metadata } = artifact;
  const input: ModelInputSpec = {
    channels: metadata.input.channels,
    rateHz: metadata.input.rateHz,
    windowSamples: metadata.input.windowSamples,
    strideSamples: metadata.input.strideSamples,
    scale: metadata.input.scale,
  };
  createChannelSelector(input.channels); // throws on a channel a sample batch cannot supply
  if (input.strideSamples < 1 || input.windowSamples < 1 || !(input.rateHz > 0)) {
    throw new PipelineError('bad-input-spec', `model ${metadata.id}: window ${input.windowSamples}, stride ${input.strideSamples}, rate ${input.rateHz} Hz`);
  }
  return { id: metadata.id, bytes: artifact.bytes, input, classes: metadata.classes, modes: metadata.modes };
}

/** The model named by the configuration: `model.file` when set, else the zoo model `model.id` (HAR_ZOO_DIR overrides the zoo folder). */
export async function loadConfiguredModel(model: { readonly id: string; readonly file?: string | undefined }): Promise<GatewayModel> {
  if (model.file !== undefined) return gatewayModelFromBytes(new Uint8Array(await readFile(model.file)));
  return gatewayModelFromArtifact(loadZooModel(model.id).artifact);
}
