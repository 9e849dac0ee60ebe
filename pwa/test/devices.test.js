// "Your devices" in Settings: a human name for each browser that receives reminders.
import { describe, it, expect } from 'vitest';
import { subscriptionName, tokenName, userAgentName } from '../src/devices.js';

const UA = {
  chromeAndroid:
    'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36',
  samsung:
    'Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36',
  safariIphone:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  chromeIphone:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/126.0.6478.54 Mobile/15E148 Safari/604.1',
  safariIpad:
    'Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1',
  safariMac:
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  edgeWindows:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.2592.56',
  firefoxWindows: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0',
  firefoxAndroid: 'Mozilla/5.0 (Android 14; Mobile; rv:127.0) Gecko/127.0 Firefox/127.0',
  operaMac:
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36 OPR/111.0.0.0',
  chromeLinux:
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0.0.0 Safari/537.36',
  chromebook:
    'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
};

describe('userAgentName', () => {
  it.each([
    ['chromeAndroid', 'Chrome on Android'],
    ['samsung', 'Samsung Internet on Android'],
    ['safariIphone', 'Safari on iPhone'],
    ['chromeIphone', 'Chrome on iPhone'],
    ['safariIpad', 'Safari on iPad'],
    ['safariMac', 'Safari on macOS'],
    ['edgeWindows', 'Edge on Windows'],
    ['firefoxWindows', 'Firefox on Windows'],
    ['firefoxAndroid', 'Firefox on Android'],
    ['operaMac', 'Opera on macOS'],
    ['chromeLinux', 'Chrome on Linux'],
    ['chromebook', 'Chrome on ChromeOS'],
  ])('%s → %s', (key, name) => {
    expect(userAgentName(UA[key])).toBe(name);
  });

  it('names what it can and nothing it cannot', () => {
    expect(userAgentName('SomeBrowser/1.0 (Windows NT 10.0)')).toBe('Windows');
    expect(userAgentName('Python-urllib/3.12')).toBeNull();
    expect(userAgentName('')).toBeNull();
    expect(userAgentName(null)).toBeNull();
    expect(userAgentName(undefined)).toBeNull();
  });
});

describe('subscriptionName and tokenName', () => {
  it('prefer the given name, then the browser, then "Unnamed device"', () => {
    expect(subscriptionName({ device_name: 'Robin’s phone', user_agent: UA.chromeAndroid })).toBe('Robin’s phone');
    expect(subscriptionName({ device_name: '  ', user_agent: UA.chromeAndroid })).toBe('Chrome on Android');
    expect(subscriptionName({ device_name: null, user_agent: UA.safariIphone })).toBe('Safari on iPhone');
    expect(subscriptionName({ device_name: null, user_agent: 'curl/8.5.0' })).toBe('Unnamed device');
    expect(subscriptionName({ device_name: null, user_agent: null })).toBe('Unnamed device');
    expect(tokenName({ name: 'Integration X' })).toBe('Integration X');
    expect(tokenName({ name: '' })).toBe('Unnamed device');
  });
});
