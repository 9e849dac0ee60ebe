// "Your devices" in Settings: a human name for a browser that receives reminders, and which
// of them is this one.
import { S } from './strings.js';

// Order matters: Edge, Opera and Samsung Internet also say "Chrome"; Chrome also says "Safari".
const BROWSERS = [
  [/\bEdg(?:e|A|iOS)?\//, 'Edge'],
  [/\bOPR\/|\bOpera\b/, 'Opera'],
  [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\bFirefox\/|\bFxiOS\//, 'Firefox'],
  [/\bCriOS\/|Chrome\/|\bChromium\//, 'Chrome'],
  [/\bVersion\/[\d.]+.*\bSafari\/|\bSafari\/.*\bVersion\//, 'Safari'],
];
const SYSTEMS = [
  [/\bAndroid\b/, 'Android'],
  [/\biPhone\b|\biPod\b/, 'iPhone'],
  [/\biPad\b/, 'iPad'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bWindows\b/, 'Windows'],
  [/\bMacintosh\b|\bMac OS X\b/, 'macOS'],
  [/\bLinux\b|\bX11\b/, 'Linux'],
];

const first = (table, ua) => table.find(([re]) => re.test(ua))?.[1] || null;

// "Chrome on Android", "Safari on iPhone", "Firefox", "Windows"; null when nothing is known.
export function userAgentName(ua) {
  if (!ua || typeof ua !== 'string') return null;
  const browser = first(BROWSERS, ua);
  const system = first(SYSTEMS, ua);
  if (browser && system) return S.browserOn(browser, system);
  return browser || system || null;
}

// A reminder subscription's name: the name given, else its browser, else "Unnamed device".
export function subscriptionName(sub) {
  return sub?.device_name?.trim() || userAgentName(sub?.user_agent) || S.unnamedDevice;
}

export function tokenName(token) {
  return token?.name?.trim() || S.unnamedDevice;
}

// This browser's push subscription endpoint, or null (no worker, no push, not subscribed).
export async function currentPushSubscription() {
  try {
    if (typeof navigator === 'undefined' || !('serviceWorker' in navigator)) return null;
    const reg = await navigator.serviceWorker.getRegistration();
    return (await reg?.pushManager?.getSubscription()) || null;
  } catch {
    return null;
  }
}
