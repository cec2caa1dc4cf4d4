// The few-shot templates of the rationalisation prompt, one per dataset, in the reference's layout (KARD's
// generate_explanations.py): an instruction, then solved examples "Question / (A) .. (D) / Answer: (X) /
// Explanation: ...". The examples are our own explanations of training questions, cited by id:
// - strategyqa: datasets/strategyqa/train.json, qids 2bc9c4f9c19c167187f2, 03caf265939fab701dee,
//   93e3995669f121e630ef, 8bc8ea4aa7a9ff69b37f (explanations written from each question's own `facts`);
// - obqa: datasets/obqa/dev.json (the split this project trains OpenBookQA on), records 2, 3, 6 and 7 (0-based,
//   ids obqa-dev-2 ... as the loader names them), each explanation built on that question's gold open-book fact;
// - medqa: no MedQA training split can be shipped (datasets/medqa holds the test set only), so these three
//   vignettes were written for KARD-TS in the style of USMLE step 1 questions; none comes from a dataset, so none
//   can leak an evaluation question.
import { LABELS, type McQuestion } from '../question';
import type { Demonstration } from './fewshot';

export interface FewShotTemplate {
  /** The first paragraph of the prompt. */
  instruction: string;
  demonstrations: Demonstration[];
}

const demo = (id: string, question: string, options: string[], answer: string, rationale: string): Demonstration => ({
  question: {
    id,
    question,
    options: options.map((text, i) => ({ label: LABELS[i], text })),
    answer,
    split: 'train',
    meta: {},
  } satisfies McQuestion,
  rationale,
});

export const FEW_SHOT_TEMPLATES: Record<'medqa' | 'strategyqa' | 'obqa', FewShotTemplate> = {
  medqa: {
    instruction:
      'The following are multiple-choice questions about medical knowledge. Generate detailed step-by-step ' +
      'explanations for each question and answer.',
    demonstrations: [
      demo(
        'kard-ts-medqa-1',
        'A 24-year-old woman has had fatigue, heat intolerance, palpitations and a 5-kg weight loss over 3 months. ' +
          'Her pulse is 112/min. She has a diffusely enlarged, non-tender thyroid gland and her eyes protrude. ' +
          'Which of the following antibodies is most likely to be found in her serum?',
        [
          'Anti-centromere antibodies',
          'Anti-thyroid-stimulating hormone receptor antibodies',
          'Anti-smooth muscle antibodies',
          'Anti-mitochondrial antibodies',
        ],
        'B',
        'Weight loss, heat intolerance and tachycardia point to hyperthyroidism. A diffuse painless goitre with ' +
          'exophthalmos is Graves disease, which is caused by antibodies that stimulate the TSH receptor. ' +
          'Anti-centromere antibodies belong to limited scleroderma, anti-smooth muscle antibodies to autoimmune ' +
          'hepatitis and anti-mitochondrial antibodies to primary biliary cholangitis.',
      ),
      demo(
        'kard-ts-medqa-2',
        'A 58-year-old man who smokes has had a cough for 2 months. His serum sodium is 124 mEq/L, his serum is ' +
          'hypo-osmolar and his urine is inappropriately concentrated; he is euvolemic. A chest CT shows a central ' +
          'mass near the hilum. Which of the following is the most likely type of tumour?',
        ['Adenocarcinoma', 'Squamous cell carcinoma', 'Small cell carcinoma', 'Carcinoid tumour'],
        'C',
        'Euvolemic hyponatremia with concentrated urine is the syndrome of inappropriate ADH secretion. In a ' +
          'smoker with a central lung mass, the lung cancer that secretes ADH as a paraneoplastic syndrome is small ' +
          'cell carcinoma. Squamous cell carcinoma is also central but secretes PTH-related peptide and causes ' +
          'hypercalcemia, and adenocarcinoma is usually peripheral.',
      ),
      demo(
        'kard-ts-medqa-3',
        'A 6-year-old boy has a sore throat and fever. Two weeks later his urine turns cola-coloured and his ' +
          'blood pressure is raised. Serum complement C3 is low. Which of the following organisms most likely ' +
          'caused the initial illness?',
        ['Staphylococcus aureus', 'Streptococcus pyogenes', 'Epstein-Barr virus', 'Streptococcus pneumoniae'],
        'B',
        'Haematuria, hypertension and low C3 two weeks after a pharyngitis are post-streptococcal ' +
          'glomerulonephritis, an immune-complex disease that follows infection with a nephritogenic strain of ' +
          'group A Streptococcus, Streptococcus pyogenes. The latency of weeks separates it from IgA nephropathy, ' +
          'which flares within days of an infection and has normal complement.',
      ),
    ],
  },
  strategyqa: {
    instruction:
      'The following are yes/no questions that need several steps of reasoning. Generate detailed step-by-step ' +
      'explanations for each question and answer.',
    demonstrations: [
      demo(
        '2bc9c4f9c19c167187f2',
        'Are more people today related to Genghis Khan than Julius Caesar?',
        ['yes', 'no'],
        'A',
        'Julius Caesar had three children, while Genghis Khan had sixteen. Geneticists estimate that about one in ' +
          'every 200 men alive today carries DNA traced to Genghis Khan, far more descendants than Caesar has.',
      ),
      demo(
        '03caf265939fab701dee',
        'Could the members of The Police perform lawful arrests?',
        ['yes', 'no'],
        'B',
        'The Police is a rock band, and its members were musicians, not law enforcement officers. Only law ' +
          'enforcement officers can make lawful arrests, so the band members could not.',
      ),
      demo(
        '93e3995669f121e630ef',
        'Do the anchors on Rede Globo speak Chinese?',
        ['yes', 'no'],
        'B',
        'Rede Globo is a Brazilian television network, and the official language of Brazil is Portuguese, so its ' +
          'anchors present the news in Portuguese, not Chinese.',
      ),
      demo(
        '8bc8ea4aa7a9ff69b37f',
        'Is a Boeing 737 cost covered by Wonder Woman (2017 film) box office receipts?',
        ['yes', 'no'],
        'A',
        'A Boeing 737 costs on the order of a hundred million dollars at most, while Wonder Woman (2017) grossed ' +
          'over 800 million dollars at the box office, which is more than enough to pay for one.',
      ),
    ],
  },
  obqa: {
    instruction:
      'The following are multiple-choice questions about elementary science. Generate detailed step-by-step ' +
      'explanations for each question and answer.',
    demonstrations: [
      demo(
        'obqa-dev-2',
        'When birds migrate south for the winter, they do it because',
        [
          'they are genetically called to',
          'their children ask for them to',
          'it is important to their happiness',
          'they decide to each year',
        ],
        'A',
        'Migration is an instinctive behaviour: birds do not learn or choose it, they inherit it. An instinct is ' +
          'written in their genes, so they migrate because they are genetically called to.',
      ),
      demo(
        'obqa-dev-3',
        'If a person walks in the opposite direction of a compass arrow they are walking',
        ['west', 'north', 'east', 'south'],
        'D',
        'A compass needle points north. Walking in the opposite direction of the arrow means walking away from ' +
          'north, which is south.',
      ),
      demo(
        'obqa-dev-6',
        'A person can grow cabbage in January with the help of what product?',
        ['Green house', 'Parliment', 'Congress', 'White house'],
        'A',
        'January is cold, and cold weather kills or stops the growth of plants like cabbage. A greenhouse protects ' +
          'plants from the cold, so it lets a person grow cabbage in winter. Parliament, Congress and the White ' +
          'House are institutions, not products for growing plants.',
      ),
      demo(
        'obqa-dev-7',
        'A frog, in winter, will burrow itself into soft mud, until it freezes, then in the spring',
        [
          'it melts, because it is warm-blooded',
          'it unfreezes, because it is cold-blooded',
          'it remains frozen until it dies',
          'it dies, because it is warm-blooded',
        ],
        'B',
        'A frog is an amphibian, and amphibians are cold-blooded: their body temperature follows their ' +
          'surroundings. When the spring warms the mud, the frozen frog warms with it and unfreezes.',
      ),
    ],
  },
};

/** The template of a dataset ("medqa", "strategyqa", "obqa"), or undefined for one without a template. */
export function fewShotTemplate(dataset: string | undefined): FewShotTemplate | undefined {
  return dataset !== undefined && dataset in FEW_SHOT_TEMPLATES
    ? FEW_SHOT_TEMPLATES[dataset as keyof typeof FEW_SHOT_TEMPLATES]
    : undefined;
}
