import { describe, expect, it } from 'vitest';
import {
  MappingError,
  NOT_SPECIFIED_SERVICE,
  oscarServiceNameFor,
  primeroServiceFor,
  serviceMappingFrom,
  servicePairs,
  type ServiceTableRow,
} from '../../src/mapping/index.ts';

// Written out independently of src/mapping/services.json (original-jobs.md §4.8), so deleting or
// changing a row of the table fails these tests. Misspellings are Primero's lookup ids, verbatim.
const EXPECTED: ReadonlyArray<[oscarName: string, subtype: string, type: string]> = [
  [
    'Generalist social work / case work',
    'social_work_case_work_generalist',
    'social_work_case_work',
  ],
  ['Community social work', 'social_work_case_work_community', 'social_work_case_work'],
  ['Emergency foster care', 'family_based_care_emergency_foster', 'family_based_care'],
  ['Long term foster care', 'family_based_care_longterm_foster', 'family_based_care'],
  ['Kinship care', 'family_based_care_kinship', 'family_based_care'],
  ['Domestic adoption support', 'family_based_care_domestic_adoption', 'family_based_care'],
  ['Family preservation', 'family_based_care_family_preservation', 'family_based_care'],
  ['Family reunification', 'family_based_care_family_reunification', 'family_based_care'],
  ['Independent Living', 'family_based_care_independent_living', 'family_based_care'],
  ['Drug and Alcohol Counselling', 'drug_alcohol_counselling', 'drug_alcohol'],
  ['Detox / rehabilitation services', 'drug_alcohol_detox_rehabilitation', 'drug_alcohol'],
  ['Detox support', 'drug_alcohol_detox_support', 'drug_alcohol'],
  ['Generalist counselling', 'counselling_generalist', 'counselling'],
  ['Counselling for abuse survivors', 'counselling_abuse_survivors', 'counselling'],
  ['Trauma counselling', 'counselling_trauma', 'counselling'],
  ['Family counselling / mediation', 'counselling_family', 'counselling'],
  [
    'Direct material assistance',
    'financial_development_material_assistance',
    'financial_development',
  ],
  [
    'Direct financial assistance',
    'financial_development_financial_assistance',
    'financial_development',
  ],
  [
    'Income generation services',
    'financial_development_income_generation',
    'financial_development',
  ],
  ['Day care services', 'financial_development_day_care', 'financial_development'],
  [
    'Therapeutic interventions',
    'disability_support_therapeutic_interventions',
    'disability_support',
  ],
  [
    'Therapeutic interventions',
    'mental_health_support_therapeutic_interventions',
    'mental_health_support',
  ],
  ['Disability respite care', 'disability_support_respite-care', 'disability_support'],
  ['Therapeutic training', 'disability_support_therapeutic_training', 'disability_support'],
  ['Therapeutic training', 'mental_health_support_therapeutic_training', 'mental_health_support'],
  ['Disability-aid provision', 'disability_support_aid_provision', 'disability_support'],
  ['Peripheral supports', 'disability_support_peripheral', 'disability_support'],
  ['Support groups', 'disability_support_groups', 'disability_support'],
  ['Support to access care', 'medical_support_access_care', 'medical_support'],
  ['Provision of medical care', 'medical_support_provision_medical_case', 'medical_support'],
  ['Medical training services', 'medical_support_medical_training', 'medical_support'],
  ['Health education', 'medical_support_healt_education', 'medical_support'],
  ['Support to access legal services', 'legal_support_access_legal_services', 'legal_support'],
  ['Legal advocacy services', 'legal_support_advocacy_services', 'legal_support'],
  ['Legal representation', 'legal_support_representation', 'legal_support'],
  ['Prison visitation support', 'legal_support_prision_visitation', 'legal_support'],
  [
    'Direct medical support',
    'mental_health_support_direct_medical_support',
    'mental_health_support',
  ],
  ['School support', 'training_education_school_support', 'training_education'],
  ['Supplementary school education', 'training_education_supplementary', 'training_education'],
  ['Vocational education and training', 'training_education_vocational', 'training_education'],
  [
    'Material support for education (uniforms, etc)',
    'training_education_material_support',
    'training_education',
  ],
  ['Scholarships or financial support', 'training_education_scholarships', 'training_education'],
  ['Life skills', 'training_education_life_skills', 'training_education'],
  ['Family support', 'family_support_family_support', 'family_support'],
  ['Rescue Services', 'anti_trafficking_rescue', 'anti_trafficking'],
  ['Transitional Accommodation', 'anti_trafficking_transitional_accomodation', 'anti_trafficking'],
  ['Post-Trafficking Counseling', 'anti_trafficking_post_trafficking', 'anti_trafficking'],
  [
    'Community Reintegration Support',
    'anti_trafficking_community_reintegration',
    'anti_trafficking',
  ],
  ['Residential Care Institution', 'residential_care_gov_only_other', 'other'],
  ['Other Service', 'other_other_service', 'other'],
];

// The documented rule: OSCaR -> Primero keeps the original jobs' choice (the mental health
// subtype), so cases the old jobs wrote and cases this sync writes agree.
const PREFERRED_FOR_AMBIGUOUS: Record<string, string> = {
  'Therapeutic interventions': 'mental_health_support_therapeutic_interventions',
  'Therapeutic training': 'mental_health_support_therapeutic_training',
};

describe('service table: Primero -> OSCaR', () => {
  it.each(EXPECTED)('%s <- %s', (oscarName, subtype) => {
    expect(oscarServiceNameFor(subtype)).toBe(oscarName);
  });

  it('sends "Not Specified" for a row without a subtype (OSCaR rejects it on purpose)', () => {
    expect(NOT_SPECIFIED_SERVICE).toBe('Not Specified');
    expect(oscarServiceNameFor('')).toBe('Not Specified');
    expect(oscarServiceNameFor('  ')).toBe('Not Specified');
    expect(oscarServiceNameFor(null)).toBe('Not Specified');
    expect(oscarServiceNameFor(undefined)).toBe('Not Specified');
  });

  it('reports an unknown subtype naming it and the file to edit', () => {
    expect(() => oscarServiceNameFor('other')).toThrow(MappingError);
    expect(() => oscarServiceNameFor('made_up_subtype')).toThrow(
      /"made_up_subtype" is not in the service table: add a row for it to src\/mapping\/services.json/,
    );
  });
});

describe('service table: OSCaR -> Primero', () => {
  it.each(EXPECTED.filter(([name]) => !(name in PREFERRED_FOR_AMBIGUOUS)))(
    '%s -> %s (%s)',
    (oscarName, subtype, type) => {
      expect(primeroServiceFor(oscarName)).toEqual({ subtype, type });
    },
  );

  it.each(Object.entries(PREFERRED_FOR_AMBIGUOUS))(
    'ambiguous %s resolves to the subtype marked preferredForOscar (%s)',
    (oscarName, subtype) => {
      expect(primeroServiceFor(oscarName)).toEqual({ subtype, type: 'mental_health_support' });
      const marked = servicePairs.filter(
        (row) => row.oscarName === oscarName && (row as ServiceTableRow).preferredForOscar === true,
      );
      expect(marked.map((row) => row.primeroSubtype)).toEqual([subtype]);
    },
  );

  it('ignores spaces around the name OSCaR sends', () => {
    expect(primeroServiceFor('  Kinship care ')).toEqual({
      subtype: 'family_based_care_kinship',
      type: 'family_based_care',
    });
  });

  it('reports an unknown name instead of mapping it to undefined', () => {
    expect(() => primeroServiceFor('Not Specified')).toThrow(MappingError);
    expect(() => primeroServiceFor('kinship care')).toThrow(
      /"kinship care" is not in the service table/,
    );
    expect(() => primeroServiceFor('')).toThrow(/services\.json/);
  });
});

describe('service table: the shipped rows', () => {
  it('holds every expected pair exactly once', () => {
    for (const [oscarName, primeroSubtype, primeroType] of EXPECTED) {
      const rows = servicePairs.filter(
        (row) => row.oscarName === oscarName && row.primeroSubtype === primeroSubtype,
      );
      expect(
        rows.map((row) => row.primeroType),
        `${oscarName} / ${primeroSubtype}`,
      ).toEqual([primeroType]);
    }
  });
});

describe('service table rules on an edited table', () => {
  const files = { services: 'edited/services.json', provinces: '', agencies: '' };
  const mappingOf = (services: ServiceTableRow[]) => serviceMappingFrom({ services, files });

  it('refuses to guess when a name has two subtypes and none is preferred', () => {
    const mapping = mappingOf([
      { oscarName: 'Therapy', primeroSubtype: 'a_therapy', primeroType: 'a' },
      { oscarName: 'Therapy', primeroSubtype: 'b_therapy', primeroType: 'b' },
    ]);
    expect(() => mapping.primeroServiceFor('Therapy')).toThrow(
      /maps to 2 Primero subtypes \(a_therapy, b_therapy\) and none is marked "preferredForOscar": true; mark exactly one in edited\/services.json/,
    );
    expect(mapping.oscarServiceNameFor('a_therapy')).toBe('Therapy');
  });

  it('refuses to guess when both rows are preferred', () => {
    const mapping = mappingOf([
      {
        oscarName: 'Therapy',
        primeroSubtype: 'a_therapy',
        primeroType: 'a',
        preferredForOscar: true,
      },
      {
        oscarName: 'Therapy',
        primeroSubtype: 'b_therapy',
        primeroType: 'b',
        preferredForOscar: true,
      },
    ]);
    expect(() => mapping.primeroServiceFor('Therapy')).toThrow(/more than one is marked/);
  });

  it('refuses a subtype listed under two OSCaR names', () => {
    const mapping = mappingOf([
      { oscarName: 'Therapy', primeroSubtype: 'a_therapy', primeroType: 'a' },
      { oscarName: 'Treatment', primeroSubtype: 'a_therapy', primeroType: 'a' },
    ]);
    expect(() => mapping.oscarServiceNameFor('a_therapy')).toThrow(
      /"a_therapy" maps to 2 OSCaR names \(Therapy, Treatment\): keep one row for it in edited\/services.json/,
    );
  });

  it('treats an identical repeated row as one row', () => {
    const row = { oscarName: 'Therapy', primeroSubtype: 'a_therapy', primeroType: 'a' };
    const mapping = mappingOf([row, { ...row }]);
    expect(mapping.primeroServiceFor('Therapy')).toEqual({ subtype: 'a_therapy', type: 'a' });
  });

  it('refuses one subtype with two types', () => {
    const mapping = mappingOf([
      { oscarName: 'Therapy', primeroSubtype: 'a_therapy', primeroType: 'a' },
      { oscarName: 'Therapy', primeroSubtype: 'a_therapy', primeroType: 'b' },
    ]);
    expect(() => mapping.primeroServiceFor('Therapy')).toThrow(/two different types/);
  });
});
