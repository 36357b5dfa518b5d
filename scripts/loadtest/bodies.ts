/** One `POST /api/triage` body, as the workshop's frontend sends it. */
export interface TriageRequest {
  name: string;
  age: number;
  symptoms: string;
}

const FIRST_NAMES = [
  'Amara',
  'Ben',
  'Chloé',
  'Dmitri',
  'Elif',
  'Farah',
  'Gustavo',
  'Hana',
  'Ibrahim',
  'Jana',
  'Kwame',
  'Laila',
  'Mateo',
  'Noor',
  'Olga',
  'Priya',
  'Quentin',
  'Rosa',
  'Sven',
  'Tomás',
  'Uma',
  'Viktor',
  'Wen',
  'Yusuf',
  'Zoe',
];
const LAST_NAMES = [
  'Adeyemi',
  'Bauer',
  'Chen',
  'Dubois',
  'Eriksen',
  'Fernández',
  'García',
  'Haddad',
  'Ivanova',
  'Jensen',
  'Kim',
  "O'Brien",
  'Kowalski',
  'Martin',
  'Nakamura',
  'Okafor',
  'Petrov',
  'Rossi',
  'Singh',
  'Tanaka',
  'Walker',
  'Zhang',
];
/** Complaints from minor to critical, so the backend's urgency classes all get exercised. */
const COMPLAINTS = [
  'mild headache since this morning',
  'runny nose and sneezing for two days',
  'sore throat and low-grade fever of 37.8°C',
  'twisted ankle while running, swelling but can bear weight',
  'rash on both forearms after gardening, itchy',
  'persistent dry cough for three weeks',
  'lower back pain after lifting boxes',
  'vomiting and diarrhoea since last night, unable to keep fluids down',
  'high fever of 39.5°C with chills',
  'deep cut on the palm, bleeding controlled with pressure',
  'sudden severe headache, worst ever, with stiff neck',
  'shortness of breath when climbing stairs, worse than last week',
  'crushing chest pain radiating to the left arm, sweating',
  'slurred speech and weakness on the right side for 30 minutes',
  'fainted briefly at home, now confused',
  'abdominal pain in the lower right side, worse when walking',
  'allergic reaction to peanuts, lips swelling',
  'blurred vision and severe thirst, known diabetic',
];
const CONTEXT = [
  '',
  ' Takes blood pressure medication.',
  ' No known allergies.',
  ' Pregnant, 28 weeks.',
  ' History of asthma.',
  ' Symptoms getting worse over the last hour.',
  ' Recently returned from travel abroad.',
];

/** mulberry32: a tiny seeded PRNG, so a run's bodies are varied but reproducible. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)] as T;
}

/** `count` realistic, varied triage requests: names, ages 0–97, one to three complaints plus context. */
export function triageRequests(count: number, seed = 20260101): TriageRequest[] {
  const random = seededRandom(seed);
  const requests: TriageRequest[] = [];
  for (let index = 0; index < count; index++) {
    const complaints = new Set<string>();
    const wanted = 1 + Math.floor(random() * 3);
    for (let attempt = 0; complaints.size < wanted && attempt < 10; attempt++)
      complaints.add(pick(COMPLAINTS, random));
    const text = [...complaints].join('; ');
    requests.push({
      name: `${pick(FIRST_NAMES, random)} ${pick(LAST_NAMES, random)}`,
      age: Math.floor(random() * 98),
      symptoms: `${text.charAt(0).toUpperCase()}${text.slice(1)}.${pick(CONTEXT, random)}`,
    });
  }
  return requests;
}

/** The same requests serialised once, ready to send. */
export function triageBodies(count: number, seed?: number): string[] {
  return triageRequests(count, seed).map((request) => JSON.stringify(request));
}
