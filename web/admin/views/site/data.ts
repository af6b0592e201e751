import type { FormRules } from 'element-plus';
import { complianceLabels, optionsOf, siteKindLabels, type SiteKind } from '../../../common/labels';
import type { SiteContact, SiteDetail, SiteInput, SiteQuery } from '../../api';
import { msg } from '../../locales/zh-CN';

const f = msg.site.form;

export const kindOptions = optionsOf(siteKindLabels);
export const complianceOptions = optionsOf(complianceLabels);
export const facilitySuggestions: readonly string[] = msg.site.facilitySuggestions;

export type SiteFilters = Pick<SiteQuery, 'kind' | 'regionCode' | 'q' | 'compliance'>;

export interface SiteForm {
  kind: SiteKind | '';
  name: string;
  regionCode: string;
  regionName: string;
  address: string;
  lat: number | null;
  lng: number | null;
  capacity: number | null;
  openingHours: string;
  facilities: string[];
  contacts: SiteContact[];
  description: string;
  standardId: string;
  isDemo: boolean;
}

export function emptySiteForm(): SiteForm {
  return {
    kind: '',
    name: '',
    regionCode: '',
    regionName: '',
    address: '',
    lat: null,
    lng: null,
    capacity: null,
    openingHours: '',
    facilities: [],
    contacts: [],
    description: '',
    standardId: '',
    isDemo: false,
  };
}

export function siteToForm(s: SiteDetail): SiteForm {
  return {
    kind: s.kind,
    name: s.name,
    regionCode: s.regionCode,
    regionName: s.regionName ?? '',
    address: s.address ?? '',
    lat: s.lat ?? null,
    lng: s.lng ?? null,
    capacity: s.capacity ?? null,
    openingHours: s.openingHours ?? '',
    facilities: [...(s.facilities ?? [])],
    contacts: (s.contacts ?? []).map((c) => ({ name: c.name, phone: c.phone, role: c.role ?? '' })),
    description: s.description ?? '',
    standardId: s.standardId ?? s.standard?.id ?? '',
    isDemo: s.isDemo ?? false,
  };
}

export function formToInput(form: SiteForm): SiteInput {
  const input: SiteInput = {
    kind: form.kind as SiteKind,
    name: form.name.trim(),
    regionCode: form.regionCode,
    address: form.address.trim(),
    lat: form.lat,
    lng: form.lng,
    capacity: form.capacity,
    openingHours: form.openingHours.trim(),
    facilities: form.facilities,
    contacts: form.contacts
      .filter((c) => c.name.trim() || c.phone.trim())
      .map((c) => ({ name: c.name.trim(), phone: c.phone.trim(), ...(c.role?.trim() ? { role: c.role.trim() } : {}) })),
    description: form.description.trim(),
    isDemo: form.isDemo,
  };
  if (form.standardId) input.standardId = form.standardId;
  if (input.lat === null) delete input.lat;
  if (input.lng === null) delete input.lng;
  if (input.capacity === null) delete input.capacity;
  return input;
}

export const siteRules: FormRules = {
  kind: [{ required: true, message: f.kindRequired, trigger: 'change' }],
  name: [{ required: true, whitespace: true, message: f.nameRequired, trigger: 'blur' }],
  regionCode: [{ required: true, message: f.regionRequired, trigger: 'change' }],
  address: [{ required: true, whitespace: true, message: f.addressRequired, trigger: 'blur' }],
};

export const PHONE_PATTERN = /^(1\d{10}|0\d{2,3}-?\d{7,8})$/;
