import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
for (const s of ['13800138000','+86 138 0013 8000','0086 13800138000','010-12345678','02112345678','0755-8888 8888 ext. 801','010-12345678转801','4008108888','400-810-8888','8008101234','+852 2123 4567','(212) 555-0123','+1 212 555 0123','85221234567','abc','１３８００１３８０００','0571-87654321','075512345678']) {
  const p = parsePhoneNumberFromString(s, { defaultCountry: 'CN' });
  console.log(JSON.stringify(s), p?.number, p?.isValid(), p?.getType(), p?.formatNational(), p?.formatInternational(), p?.ext, p?.country);
}
