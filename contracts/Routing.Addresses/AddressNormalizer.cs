using PhoneNumbers;
using System.Net.Mail;

namespace Routing.Addresses;

/// <summary>
/// One address, one spelling: phone numbers to E.164 (so a customer's SMS number and WhatsApp wa_id
/// are the same identity), email lower-cased, kinds lower-cased, other values trimmed. Routing identifies
/// customers by it; adapters refuse a sender it cannot normalise before they answer 200.
/// </summary>
public static class AddressNormalizer
{
    private static readonly PhoneNumberUtil Phones = PhoneNumberUtil.GetInstance();

    public static bool TryNormalize(string? kind, string? value, out NormalizedAddress address, out string error)
    {
        address = default!;
        kind = kind?.Trim().ToLowerInvariant();
        value = value?.Trim();
        if (string.IsNullOrEmpty(kind))
        {
            error = "kind is required";
            return false;
        }
        if (string.IsNullOrEmpty(value))
        {
            error = "value is required";
            return false;
        }
        switch (kind)
        {
            case "phone":
                if (!TryPhone(value, out var e164))
                {
                    // the value stays out: errors reach logs and error-queue headers
                    error = "is not a possible phone number in international form";
                    return false;
                }
                address = new NormalizedAddress(kind, e164);
                break;
            case "email":
                if (!MailAddress.TryCreate(value, out var mail))
                {
                    error = "is not an email address";
                    return false;
                }
                address = new NormalizedAddress(kind, mail.Address.ToLowerInvariant());
                break;
            default:
                address = new NormalizedAddress(kind, value);
                break;
        }
        error = "";
        return true;
    }

    /// <summary>
    /// "+393331234567", "00393331234567" and WhatsApp's "393331234567" are all international; adapters
    /// must hand over numbers with their country code (every supported provider does).
    /// </summary>
    private static bool TryPhone(string raw, out string e164)
    {
        e164 = "";
        var digits = new string(raw.Where(c => char.IsAsciiDigit(c) || c == '+').ToArray());
        if (digits.StartsWith("00", StringComparison.Ordinal))
        {
            digits = "+" + digits[2..];
        }
        else if (!digits.StartsWith('+'))
        {
            digits = "+" + digits;
        }
        if (digits.LastIndexOf('+') != 0 || digits.Length < 4)
        {
            return false;
        }
        try
        {
            var number = Phones.Parse(digits, "ZZ");
            if (!Phones.IsPossibleNumber(number))
            {
                return false;
            }
            e164 = Phones.Format(number, PhoneNumberFormat.E164);
            return true;
        }
        catch (NumberParseException)
        {
            return false;
        }
    }
}
