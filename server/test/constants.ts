export const TEST_SECRET = '0'.repeat(63) + '1';
export const TEST_NOW = '2026-06-01T02:00:00Z';
export const DEMO_PASSWORD = 'Demo@2026';
export const PHONES = {
  countyAdmin: '13800000001',
  xinjiAdmin: '13800000002',
  shawoAdmin: '13800000003',
  stationAdmin: '13800000004',
  volunteer: '13800000005',
  volunteer2: '13800000006',
  resident: '13800000007',
  shawoResident: '13800000008',
  sysadmin: '13800000009',
  auditor: '13800000010',
  secadmin: '13800000011',
} as const;
