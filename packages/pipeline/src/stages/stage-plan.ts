// The inputs (and so the marker hash) of every training stage under a config, computed without running anything:
// kard-train runs each stage with these inputs, and kard-eval compares them with the markers it finds, so a stage
// trained under another config is caught before it is evaluated. Each stage's inputs are its declared reads
// (stage-reads.ts) plus the hashes of the stages it builds on, which are computed the same way.
import type { KardConfig, StudentMethod } from '../config/schema';
import { hashFile, hashJson } from '../run/hash';
import { stageInputs } from './stage-inputs';
import { STAGE_READS, type StageReads } from './stage-reads';

/** A stage as a config makes it: its marker name, inputs, their hash, and the run-folder paths it writes. */
export interface PlannedStage {
  stage: string;
  inputs: Record<string, unknown>;
  hash: string;
  outputs: string[];
}

export class StagePlan {
  private readonly memo = new Map<string, Promise<PlannedStage | undefined>>();

  /** Each input file's sha256, read once per plan (the corpus alone feeds four stages). */
  private readonly fileHashes = new Map<string, Promise<string>>();

  constructor(readonly cfg: KardConfig) {}

  private inputs(decl: StageReads, upstream?: Record<string, string | undefined>): Promise<Record<string, unknown>> {
    return stageInputs(this.cfg, decl, upstream, (file) => {
      let h = this.fileHashes.get(file);
      if (!h) this.fileHashes.set(file, (h = hashFile(file)));
      return h;
    });
  }

  private planned(
    stage: string,
    outputs: string[],
    inputs: () => Promise<Record<string, unknown>>,
  ): Promise<PlannedStage | undefined> {
    let p = this.memo.get(stage);
    if (!p) {
      p = inputs().then((i) => ({ stage, inputs: i, hash: hashJson(i), outputs }));
      this.memo.set(stage, p);
    }
    return p;
  }

  /** The run's passage store (`openPassages`), built from the corpus files. */
  passages(): Promise<PlannedStage> {
    return this.planned('passages', ['passages'], () => this.inputs(STAGE_READS.passages())) as Promise<PlannedStage>;
  }

  /** The index stage: builds the run's index/, or with a prebuilt knowledge.index checks it and writes nothing. */
  index(): Promise<PlannedStage> {
    const outputs = this.cfg.knowledge.index ? [] : ['index'];
    return this.planned('index', outputs, () => this.inputs(STAGE_READS.index())) as Promise<PlannedStage>;
  }

  /** Undefined when the student keeps its tokenizer whole (no scratch student, or no student.vocabSize). */
  async tokenizer(): Promise<PlannedStage | undefined> {
    const s = this.cfg.student;
    if (s.model !== 'scratch' || !s.vocabSize) return undefined;
    return this.planned('student-tokenizer', ['student/tokenizer'], () =>
      this.inputs(STAGE_READS['student-tokenizer']()),
    );
  }

  prepare(method: StudentMethod): Promise<PlannedStage> {
    return this.planned(`prepare-${method}`, [`data/${method}`], async () =>
      this.inputs(STAGE_READS.prepare(method), {
        indexHash: (await this.index()).hash,
        tokenizerHash: (await this.tokenizer())?.hash,
      }),
    ) as Promise<PlannedStage>;
  }

  /** Undefined without a scratch student's pre-training (student.pretrainSteps). */
  async init(): Promise<PlannedStage | undefined> {
    const s = this.cfg.student;
    if (s.model !== 'scratch' || !s.pretrainSteps) return undefined;
    return this.planned('student-init', ['student/init'], async () =>
      this.inputs(STAGE_READS['student-init'](), { tokenizer: (await this.tokenizer())?.hash }),
    );
  }

  /** Undefined without a shared warm start (student.baseSteps). */
  async base(): Promise<PlannedStage | undefined> {
    if (!this.cfg.student.baseSteps) return undefined;
    return this.planned('student-base', ['student/base'], async () =>
      this.inputs(STAGE_READS['student-base'](), {
        prepared: (await this.prepare('rd')).hash,
        init: (await this.init())?.hash,
      }),
    );
  }

  student(method: StudentMethod): Promise<PlannedStage> {
    return this.planned(`student-${method}`, [`student/${method}`], async () => {
      const base = (await this.base())?.hash;
      const init = base ? undefined : (await this.init())?.hash;
      return this.inputs(STAGE_READS.student(), { prepared: (await this.prepare(method)).hash, base, init });
    }) as Promise<PlannedStage>;
  }

  reranker(): Promise<PlannedStage> {
    return this.planned('reranker', ['reranker'], async () =>
      this.inputs(STAGE_READS.reranker(), { prepared: (await this.prepare('kard')).hash }),
    ) as Promise<PlannedStage>;
  }
}
