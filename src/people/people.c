/* people.c — ID-card number checks and masking rules. */
#include "people/people.h"

#include <stdio.h>
#include <string.h>

bool people_id_number_valid(const char *id)
{
	static const int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
	static const char checks[] = "10X98765432";
	if (strlen(id) != 18)
		return false;
	int sum = 0;
	for (int i = 0; i < 17; i++) {
		if (id[i] < '0' || id[i] > '9')
			return false;
		sum += (id[i] - '0') * weights[i];
	}
	char last = id[17] == 'x' ? 'X' : id[17];
	if (last != checks[sum % 11])
		return false;
	/* Month 01–12 and day 01–31 of the birth date in positions 11–14. */
	int month = (id[10] - '0') * 10 + (id[11] - '0');
	int day = (id[12] - '0') * 10 + (id[13] - '0');
	return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

void people_id_number_mask(const char *id, char out[19])
{
	snprintf(out, 19, "%.4s**********%.4s", id, id + 14);
}

void people_phone_mask(const char *phone, char *out, size_t outlen)
{
	size_t n = strlen(phone);
	if (n < 8) {
		snprintf(out, outlen, "****");
		return;
	}
	snprintf(out, outlen, "%.3s****%s", phone, phone + n - 4);
}

bool people_phone_valid(const char *phone)
{
	size_t n = strlen(phone);
	if (n < 5 || n > 20)
		return false;
	return strspn(phone, "0123456789 +-") == n;
}
