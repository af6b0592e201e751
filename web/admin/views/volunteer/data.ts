import type { FormRules } from 'element-plus';
import { ageOn, parseIdNumber } from '../../../common/idcard';
import type { TeamCategory, Volunteer, VolunteerCreateInput, VolunteerUpdateInput } from '../../api';
import { politicalStatusOptions } from '../../../common/labels';
import { msg } from '../../locales/zh-CN';

const f = msg.volunteer.form;

export const PHONE = /^1[3-9]\d{9}$/;
export const NAME = /^[\u4e00-\u9fa5·•A-Za-z ]{2,30}$/;

export interface VolunteerFilters {
  q?: string;
  regionCode?: string;
  verified?: 'true' | 'false';
  category?: string;
}

export interface VolunteerForm {
  name: string;
  idNumber: string;
  phone: string;
  regionCode: string;
  regionName: string;
  categories: string[];
  skills: string[];
  politicalStatus: (typeof politicalStatusOptions)[number] | '';
  education: string;
  occupation: string;
  availability: string;
  serviceArea: string;
  guardianName: string;
  guardianPhone: string;
  guardianRelation: string;
  guardianConsent: boolean;
  verified: boolean;
}

export function emptyVolunteerForm(): VolunteerForm {
  return {
    name: '',
    idNumber: '',
    phone: '',
    regionCode: '',
    regionName: '',
    categories: [],
    skills: [],
    politicalStatus: '',
    education: '',
    occupation: '',
    availability: '',
    serviceArea: '',
    guardianName: '',
    guardianPhone: '',
    guardianRelation: '',
    guardianConsent: false,
    verified: true,
  };
}

/** Editing: phones stay empty (the masked value is a hint); an empty phone means "unchanged". */
export function volunteerToForm(v: Volunteer): VolunteerForm {
  return {
    ...emptyVolunteerForm(),
    name: v.name,
    regionCode: v.regionCode,
    regionName: v.regionName ?? '',
    categories: [...(v.categories ?? [])],
    skills: [...(v.skills ?? [])],
    politicalStatus: politicalStatusOptions.find((x) => x === v.politicalStatus) ?? '',
    education: v.education ?? '',
    occupation: v.occupation ?? '',
    availability: v.availability ?? '',
    serviceArea: v.serviceArea ?? '',
    guardianName: v.guardianName ?? '',
    guardianRelation: v.guardianRelation ?? '',
    verified: v.verified,
  };
}

/** Age from the typed ID number (creating) or the stored birth date (editing); null while unknown. */
export function formAge(form: VolunteerForm, existing: Volunteer | null): number | null {
  if (existing) return ageOn(existing.birthDate);
  const id = parseIdNumber(form.idNumber);
  return id.ok ? ageOn(id.info.birthDate) : null;
}

function profile(form: VolunteerForm, minor: boolean): VolunteerUpdateInput {
  return {
    regionCode: form.regionCode,
    categories: form.categories,
    skills: form.skills.map((s) => s.trim()).filter(Boolean),
    politicalStatus: form.politicalStatus,
    education: form.education.trim(),
    occupation: form.occupation.trim(),
    availability: form.availability.trim(),
    serviceArea: form.serviceArea.trim(),
    ...(minor
      ? {
          guardianName: form.guardianName.trim() || null,
          guardianRelation: form.guardianRelation.trim() || null,
          ...(form.guardianPhone.trim() ? { guardianPhone: form.guardianPhone.trim() } : {}),
        }
      : {}),
  };
}

export function formToCreateInput(form: VolunteerForm, age: number | null): VolunteerCreateInput {
  const minor = age !== null && age < 18;
  return {
    ...profile(form, minor),
    name: form.name.trim(),
    idNumber: form.idNumber.trim().toUpperCase(),
    regionCode: form.regionCode,
    ...(form.phone.trim() ? { phone: form.phone.trim() } : {}),
    ...(age !== null && age < 14 ? { guardianConsent: form.guardianConsent } : {}),
    verified: form.verified,
  };
}

export function formToUpdateInput(form: VolunteerForm, age: number | null): VolunteerUpdateInput {
  const minor = age !== null && age < 18;
  return {
    ...profile(form, minor),
    name: form.name.trim(),
    ...(form.phone.trim() ? { phone: form.phone.trim() } : {}),
  };
}

export function volunteerRules(
  creating: () => boolean,
  age: () => number | null,
  hasGuardianPhone: () => boolean,
): FormRules {
  return {
    name: [
      { required: true, whitespace: true, message: f.nameRequired, trigger: 'blur' },
      { pattern: NAME, message: f.nameInvalid, trigger: 'blur' },
    ],
    idNumber: [
      {
        validator: (_r, value: string, cb) => {
          if (!creating()) return cb();
          if (!value?.trim()) return cb(new Error(f.idRequired));
          const id = parseIdNumber(value);
          return id.ok ? cb() : cb(new Error(id.reason));
        },
        trigger: 'blur',
      },
    ],
    phone: [{ pattern: PHONE, message: f.phoneInvalid, trigger: 'blur' }],
    regionCode: [{ required: true, message: f.regionRequired, trigger: 'change' }],
    guardianName: [
      {
        validator: (_r, value: string, cb) => {
          const a = age();
          return a !== null && a < 18 && !value?.trim() ? cb(new Error(f.guardianNameRequired)) : cb();
        },
        trigger: 'blur',
      },
    ],
    guardianPhone: [
      {
        validator: (_r, value: string, cb) => {
          const a = age();
          if (value?.trim() && !PHONE.test(value.trim())) return cb(new Error(f.phoneInvalid));
          // editing someone whose guardian phone is on file: empty means "keep it"
          if (a !== null && a < 18 && !value?.trim() && !hasGuardianPhone())
            return cb(new Error(f.guardianPhoneRequired));
          return cb();
        },
        trigger: 'blur',
      },
    ],
    guardianConsent: [
      {
        validator: (_r, value: boolean, cb) => {
          const a = age();
          return creating() && a !== null && a < 14 && value !== true ? cb(new Error(f.guardianConsentRequired)) : cb();
        },
        trigger: 'change',
      },
    ],
  };
}

export function categoryName(categories: TeamCategory[], code: string): string {
  return categories.find((c) => c.code === code)?.name ?? code;
}
