// How a 密级 is printed (GB/T 9704-2012 7.2.2): 秘密, 机密 or 绝密, then a ★ and the 保密期限
// (机密★1年, 绝密★长期, 秘密★6个月, or a date to declassify). Shared by the 版头 reader, which
// reads it among the other marks, and the 密级 detector.

// 工作秘密 and 商业秘密 are no 密级 of a 国家秘密
export const LEVEL = '(绝密|机密|(?<!工作|商业)秘密)级?';
// the ★ as extraction may give it back: a symbol font's star lands in the private-use area (Wingdings' U+F0AB)
export const STAR = '[★☆*＊✦✩✪✫✬✭✮✯✰⋆\uf0ab\uf0b6]';
export const PERIOD = '(?:长期|\\d{1,3}(?:年|个月|月|天)|[一二三四五六七八九十]{1,3}(?:年|个月)|\\d{4}年\\d{1,2}月\\d{1,2}日)';

/** A 密级 among the 版头's marks, on folded text. */
export const SECRECY_TOKEN = new RegExp(`(?:密级:?)?${LEVEL}(?:${STAR}?${PERIOD}|${STAR})?`, 'y');
